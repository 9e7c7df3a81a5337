"""The alumni list pages by keyset: every row exactly once, in order, both ways, every sort."""
import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.portal import queries
from jgrad.registrants.models import Enrolment, Registrant

ROMAN = [("Sato", "Hana"), ("Sato", "Hana"), ("Sato", None), (None, None), ("Abe", "Jun"),
         (None, "Ken"), ("Sato", "Hana"), ("Tanaka", "Aoi"), ("Abe", "Jun"), (None, None),
         ("Ito", "Mei"), ("Sato", "Hana")]


@pytest.fixture
def alumni(make_university, make_registrant, make_account, monkeypatch):
    """Twelve alumni full of ties and NULLs (one of them with two enrolments here), and
    pages of three."""
    monkeypatch.setattr(queries, "PAGE_SIZE", 3)
    home, away = make_university(code="HOME"), make_university(code="AWAY")
    people = []
    for n, (family, given) in enumerate(ROMAN):
        person = make_registrant(university=home, family_name_roman=family,
                                 given_name_roman=given)
        enrolment = person.enrolments[0]
        enrolment.entry_date = dt.date(2015 + n % 3, 4, 1)  # four people per entry date
        enrolment.status_date = None if n % 4 == 0 else dt.date(2020 + n % 2, 3, 31)
        enrolment.student_number = f"S{n:03d}"
        people.append(person)
    twice = people[5]
    db.session.add(Enrolment(registrant_id=twice.id, university_id=home.id,
                             graduate_school="Graduate School of Arts", field="01",
                             programme_type="latter", entry_date=dt.date(2016, 4, 1),
                             status="enrolled", student_number="S999",
                             supplied_by="university", changed_by="university"))
    make_registrant(university=away, family_name_roman="Abe", given_name_roman="Jun")
    viewer = make_account(role=Role.STAFF, university=home, email="viewer@home.example")
    viewer.staff_role = "viewer"
    make_account(role=Role.STAFF, university=away, email="viewer@away.example").staff_role = \
        "viewer"
    db.session.commit()
    return home, people


def expected(home, sort):
    """The order the list promises, computed here in Python from the rows."""
    pairs = db.session.execute(sa.select(Registrant, Enrolment).join(
        Enrolment, Enrolment.registrant_id == Registrant.id).where(
        Enrolment.university_id == home.id)).all()
    keys = {
        "name": lambda p: (p[0].family_name_roman or "", p[0].given_name_roman or "",
                           p[0].id, p[1].id),
        "entry": lambda p: (p[1].entry_date, p[0].id, p[1].id),
        "completion": lambda p: (p[1].status_date or dt.date(1, 1, 1), p[0].id, p[1].id),
        "doctor_id": lambda p: (p[0].doctor_id, p[1].id),
    }
    ordered = sorted(pairs, key=keys[sort], reverse=sort in ("entry", "completion"))
    return [registrant.doctor_id for registrant, _enrolment in ordered]


def open_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = response.get_data(as_text=True)
    rows = re.findall(r'<td><a href="/records/(JD\d+)">', page.split("<tbody>")[1])
    links = {rel: html.unescape(href) for href, rel in
             re.findall(r'<a href="([^"]+)" rel="(next|prev)">', page)}
    return rows, links


@pytest.mark.parametrize("sort", ["name", "entry", "completion", "doctor_id"])
def test_paging_forward_and_back_lists_every_row_once_in_order(client, login, alumni, sort):
    home, _people = alumni
    login("viewer@home.example")
    want = expected(home, sort)
    assert len(want) == 13  # twelve people, one of them twice
    pages, url = [], f"/records/?sort={sort}"
    while url:
        rows, links = open_page(client, url)
        assert 0 < len(rows) <= 3
        pages.append(rows)
        url = links.get("next")
    assert [doctor_id for page in pages for doctor_id in page] == want
    assert len(pages) == 5
    # Back from the last page, through every "previous" link, to the first page.
    back, url = [], links.get("prev")
    while url:
        rows, links = open_page(client, url)
        back.append(rows)
        url = links.get("prev")
    assert back == pages[-2::-1]


def test_the_count_is_exact_for_one_page_and_on_request_otherwise(client, login, alumni):
    login("viewer@home.example")
    page = client.get("/records/").get_data(as_text=True)
    assert "13 records." not in page and "Count them" in page
    assert "13 records." in client.get("/records/?count=1").get_data(as_text=True)
    page = client.get("/records/?name=tanaka").get_data(as_text=True)
    assert "1 record." in page and "Count them" not in page  # the whole list on one page


@pytest.mark.parametrize("change", ["altered", "made up", "another sort", "garbage"])
def test_a_tampered_cursor_is_a_clear_error_not_a_500(client, login, alumni, change):
    login("viewer@home.example")
    _rows, links = open_page(client, "/records/?sort=name")
    cursor = re.search(r"cursor=([^&]+)", links["next"]).group(1)
    url = {
        "altered": f"/records/?cursor={cursor[:-3]}xyz",
        "made up": "/records/?cursor=WyJuYW1lIiwiYSIsIiIsIiIsMSwxXQ.bad",
        "another sort": f"/records/?sort=entry&cursor={cursor}",
        "garbage": "/records/?cursor=%00%ff" + "A" * 500,
    }[change]
    response = client.get(url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "start again from the first page" in page
    assert not re.findall(r'<td><a href="/records/JD', page)  # nothing listed


def test_another_universitys_staff_page_through_none_of_them(client, login, alumni):
    _home, people = alumni
    login("viewer@away.example")
    rows, links = open_page(client, "/records/?sort=name")
    assert len(rows) == 1 and not set(rows) & {p.doctor_id for p in people}
    assert not links


def test_rule4_one_built_statement_serves_each_university_its_own_alumni(
        client, login, alumni):
    """A page's statement is built once for every staff member (the university is bound
    when it runs): home's staff, then another university's, then home's again, each see
    their own alumni only, from the first page and from a cursor."""
    _home, people = alumni
    ours = {p.doctor_id for p in people}
    login("viewer@home.example")
    first, links = open_page(client, "/records/?sort=name")
    assert set(first) <= ours and len(first) == 3
    assert client.submit("/logout", {}).status_code == 302
    login("viewer@away.example")
    theirs, away_links = open_page(client, "/records/?sort=name")
    assert len(theirs) == 1 and not set(theirs) & ours and not away_links
    # Home's cursor, replayed by the other university's staff, pages through nothing of home.
    replayed, _ = open_page(client, links["next"])
    assert not set(replayed) & ours
    assert client.submit("/logout", {}).status_code == 302
    login("viewer@home.example")
    again, _ = open_page(client, links["next"])
    assert again and set(again) <= ours


def test_an_opt_out_leaves_the_next_page_at_once(client, login, alumni):
    login("viewer@home.example")
    _rows, links = open_page(client, "/records/?sort=name")
    first_of_next = open_page(client, links["next"])[0][0]
    person = db.session.scalar(sa.select(Registrant).where(
        Registrant.doctor_id == first_of_next))
    person.share_with_university = False  # opting out takes effect on the next request
    db.session.commit()
    rows, _links = open_page(client, links["next"])
    assert first_of_next not in rows and len(rows) == 3


def test_the_search_box_finds_by_student_number_and_by_parts_of_names(client, login, alumni):
    _home, people = alumni
    login("viewer@home.example")
    rows, _links = open_page(client, "/records/?name=S003")
    assert rows == [people[3].doctor_id]
    rows, _links = open_page(client, "/records/?name=S999")  # the second enrolment's number
    assert rows == [people[5].doctor_id]
    rows, _links = open_page(client, "/records/?name=tanaka%20AOI")
    assert rows == [people[7].doctor_id]
    rows, links = open_page(client, "/records/?name=hana%20sat")
    assert len(rows) == 3 and "next" in links  # four Sato Hana, pages of three
    assert open_page(client, links["next"])[0] == [people[11].doctor_id]


@pytest.mark.parametrize("sort", queries.SORT_CHOICES)
def test_a_prepared_page_reads_what_sqlalchemy_reads(alumni, sort):
    """The pages run through the driver (``jgrad.prepared``): the same rows, values and
    types (dates as dates on SQLite too) as SQLAlchemy's own execution, with each filter
    and from a cursor both ways."""
    from jgrad.accounts.models import Account
    from jgrad.portal import access, keyset

    home, people = alumni
    staff = db.session.scalar(sa.select(Account).where(Account.email == "viewer@home.example"))
    shapes = [queries.AlumniFilter(sort=sort),
              queries.AlumniFilter(sort=sort, status="degree_awarded", field="05"),
              queries.AlumniFilter(sort=sort, entry_year=2016, completion_year=2021),
              queries.AlumniFilter(sort=sort, sector="company", university_id=home.id)]
    checked = 0
    for filters in shapes:
        first, _ = queries.alumni_page(staff, filters, None, "secret")
        cursors = [None] + [c for c in (first.next_cursor,) if c]
        for cursor in cursors:
            where = keyset.position(sort, cursor, "secret", queries.CURSOR_SALT)
            after = None if where is None else where.after
            prepared = queries._cached_page_statement(
                access.viewer(staff), queries.shape_of(filters), after, queries._walk(filters),
                queries.PAGE_SIZE)
            values = {**queries._values(filters), "viewer_university": staff.university_id,
                      **keyset.seek_values(where)}
            connection = db.session.connection()
            ours = prepared.rows(connection, values)
            theirs = connection.execute(prepared.statement, values).all()
            assert [tuple(r) for r in ours] == [tuple(r) for r in theirs]
            assert [type(v) for r in ours for v in r] == [type(v) for r in theirs for v in r]
            checked += len(ours)
            if filters == shapes[0] and cursor is None:  # a full page of three
                assert len(ours) == 4 and all(isinstance(r.entry_date, dt.date) for r in ours)
    assert checked >= 8


def test_rule4_each_list_a_staff_member_opens_is_in_the_audit_trail(client, login, alumni):
    from jgrad.audit.models import AuditEvent

    home, _people = alumni
    login("viewer@home.example")
    assert client.get("/records/?sort=name&field=01").status_code == 200
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "records.listed")).one()
    viewer = db.session.scalar(sa.select(queries.Account).where(
        queries.Account.email == "viewer@home.example"))
    assert (event.actor_account_id, str(event.actor_role), event.actor_university_id) == (
        viewer.id, "staff", home.id)
    assert event.details["filters"] == {"field": "01", "sort": "name"}
    assert event.details["cursor"] is False and event.details["rows"] >= 1
    assert event.ip == "127.0.0.1" and event.request_id and event.at is not None
    assert str(event.outcome) == "success" and event.object_type == "registrant"


def test_the_filters_form_shows_each_lists_own_choices_in_the_readers_language(
        client, login, alumni):
    login("viewer@home.example")
    chosen = client.get("/records/?field=05&entry_year=2016").get_data(as_text=True)
    assert '<option value="05" selected>' in chosen and 'value="2016"' in chosen
    plain = client.get("/records/").get_data(as_text=True)
    assert '<option value="05" selected>' not in plain and 'value="2016"' not in plain
    page = client.get("/records/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/lang", data={"csrf_token": token, "lang": "ja", "next": "/records/"})
    japanese = client.get("/records/?field=05").get_data(as_text=True)
    assert "並べ替え" in japanese and '<option value="05" selected>' in japanese
    searched = client.get("/records/?name=Sato").get_data(as_text=True)
    assert 'name="name" type="search" value="Sato"' in searched


def test_rule4_an_administrators_list_of_one_university_pages_by_name_as_staff_see_it(
        client, login, alumni, make_account):
    """An administrator who chooses a university walks its enrolments' own name keys
    (migration 0015); a list of everyone walks every registrant's. Both orders agree."""
    home, _people = alumni
    make_account(role=Role.ADMIN, email="admin@jgrad.example")
    db.session.commit()
    login("admin@jgrad.example")
    pages, url = [], f"/records/?sort=name&university={home.id}"
    while url:
        rows, links = open_page(client, url)
        pages.append(rows)
        url = links.get("next")
    assert [doctor_id for page in pages for doctor_id in page] == expected(home, "name")
    everyone, url = [], "/records/?sort=name"
    while url:
        rows, links = open_page(client, url)
        everyone += rows
        url = links.get("next")
    ours = set(expected(home, "name"))
    assert [d for d in everyone if d in ours] == expected(home, "name")
