"""Rule 4: staff write only their own university's enrolments, on every route that writes.

An alumnus of HOME also studied at AWAY. HOME's editor sees the whole record, but the AWAY
enrolment only read-only: no page, form, import or merge lets HOME add, rewrite or delete an
enrolment at another university.
"""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.actors import Actor, Source
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.registrants import services as records
from jgrad.registrants.models import Enrolment
from tests.registrants.test_self_service import profile_form


def enrolment_form(university_id: int, **changes) -> dict:
    form = {"university_id": str(university_id), "graduate_school": "Graduate School of Law",
            "major": "", "field": "02", "programme_type": "latter", "student_number": "",
            "entry_date": "2015-04-01", "status": "degree_awarded",
            "status_date": "2018-03-31", "degree_name": "Doctor of Law"}
    form.update(changes)
    return form


@pytest.fixture
def alumnus(make_university, make_registrant, make_account):
    """A HOME alumnus with an enrolment at AWAY too, and HOME's editor logged in."""
    home, away, third = (make_university(code=c) for c in ("HOME", "AWAY", "THIRD"))
    person = make_registrant(email="hana@example.org", university=home)
    records.add_enrolment(person, dict(
        university_id=away.id, graduate_school="Graduate School of Law", field="02",
        programme_type="latter", entry_date=dt.date(2015, 4, 1), status="degree_awarded",
        status_date=dt.date(2018, 3, 31), degree_name="Doctor of Law"),
        Actor(Source.UNIVERSITY, None, away.id))
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    db.session.commit()
    own = next(e for e in person.enrolments if e.university_id == home.id)
    other = next(e for e in person.enrolments if e.university_id == away.id)
    return home, away, third, person, own, other


def enrolments_of(person) -> set[tuple]:
    db.session.expire_all()
    return set(db.session.execute(sa.select(
        Enrolment.id, Enrolment.university_id, Enrolment.graduate_school, Enrolment.status)
        .where(Enrolment.registrant_id == person.id)))


def test_rule4_staff_cannot_add_an_enrolment_at_another_university(client, login, alumnus):
    home, away, third, person, own, other = alumnus
    login("editor@home.example")
    before = enrolments_of(person)
    for university in (away, third):
        response = client.submit(f"/records/{person.doctor_id}/enrolments/new",
                                 enrolment_form(university.id))
        assert response.status_code == 200  # the form does not offer that university
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert enrolments_of(person) == before
    # The form offers their own university only.
    page = client.get(f"/records/{person.doctor_id}/enrolments/new").get_data(as_text=True)
    assert home.name_en in page and away.name_en not in page and third.name_en not in page


def test_rule4_staff_cannot_rewrite_or_delete_another_universitys_enrolment(
        client, login, alumnus):
    home, away, third, person, own, other = alumnus
    login("editor@home.example")
    before = enrolments_of(person)
    url = f"/records/{person.doctor_id}/enrolments/{other.id}"
    assert client.get(url).status_code == 404
    assert client.submit(url, enrolment_form(away.id, status="withdrawn")).status_code == 404
    assert client.submit(url, enrolment_form(home.id)).status_code == 404
    assert client.submit(f"{url}/delete").status_code == 404
    assert enrolments_of(person) == before
    refusals = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "record.refused"))
    assert refusals == 4
    # Their own enrolment cannot be moved to another university either.
    moved = client.submit(f"/records/{person.doctor_id}/enrolments/{own.id}",
                          enrolment_form(third.id))
    assert "Not a valid choice" in moved.get_data(as_text=True)
    assert enrolments_of(person) == before


def test_rule4_the_record_page_shows_other_universities_enrolments_read_only(
        client, login, alumnus):
    home, away, third, person, own, other = alumnus
    login("editor@home.example")
    page = client.get(f"/records/{person.doctor_id}").get_data(as_text=True)
    assert f"/enrolments/{own.id}" in page and f"/enrolments/{other.id}" not in page
    assert away.name_en in page  # seen, read-only


def test_rule4_staff_still_correct_their_alumnis_profile_and_career(client, login, alumnus):
    home, away, third, person, own, other = alumnus
    login("editor@home.example")
    career = {"start_month": "2021-04", "labour_status": "employed", "employer": "Sakura"}
    assert client.submit(f"/records/{person.doctor_id}/careers/new", career).status_code == 302
    db.session.refresh(person)
    assert [c.employer for c in person.career_spells] == ["Sakura"]
    profile = profile_form(person, given_name="Corrected", version=str(person.version))
    assert client.submit(f"/records/{person.doctor_id}/profile", profile).status_code == 302
    db.session.refresh(person)
    assert person.given_name == "Corrected" and person.changed_by == Source.UNIVERSITY


@pytest.mark.parametrize("write", ["add", "update", "move", "delete"])
def test_rule4_the_service_refuses_a_universitys_write_at_another_university(alumnus, write):
    """The check lives in the service, so no route (import, merge, API) can forget it."""
    home, away, third, person, own, other = alumnus
    as_home = Actor(Source.UNIVERSITY, None, home.id)
    before = enrolments_of(person)
    calls = {
        "add": lambda: records.add_enrolment(person, dict(
            university_id=away.id, graduate_school="X", field="02", programme_type="latter",
            entry_date=dt.date(2015, 4, 1), status="enrolled"), as_home),
        "update": lambda: records.update_enrolment(other, {"status": "withdrawn"}, as_home),
        "move": lambda: records.update_enrolment(own, {"university_id": away.id}, as_home),
        "delete": lambda: records.delete_enrolment(other, as_home),
    }
    with pytest.raises(records.RecordError, match="only its own doctoral programmes"):
        calls[write]()
    db.session.rollback()
    assert enrolments_of(person) == before
    # The institute and the registrant themselves may name any university.
    records.update_enrolment(other, {"major": "Public Law"}, Actor(Source.INSTITUTE, None))
    db.session.commit()
    assert db.session.get(Enrolment, other.id).major == "Public Law"
