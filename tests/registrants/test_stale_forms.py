"""Optimistic concurrency: a form opened earlier never silently reverts a newer save.

Each test opens form A (reads the version it carries), saves a newer change B, then
submits A: A is refused with what changed, and B stays.
"""
import re

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.actors import Actor, Source
from jgrad.extensions import db
from jgrad.registrants import services as records
from jgrad.registrants.history import RecordChange
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from tests.registrants.test_self_service import CAREER, profile_form

VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')


def opened_version(client, url: str) -> str:
    """Open the form as a browser would and return the version it carries."""
    page = client.get(url).get_data(as_text=True)
    return VERSION_RE.search(page).group(1)


@pytest.fixture
def hana(make_registrant, make_account):
    person = make_registrant(email="hana@example.org")
    home = person.enrolments[0].university
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    db.session.commit()
    return person


def enrolment_form(enrolment, **changes) -> dict:
    form = {name: getattr(enrolment, name) for name in records.ENROLMENT_FIELDS}
    form = {k: "" if v is None else str(v) for k, v in form.items()}
    form.update(changes)
    return form


def test_rule3_stale_profile_form_from_me_is_refused_and_the_newer_save_stays(
        client, login, hana):
    login("hana@example.org")
    version = opened_version(client, "/me/profile")  # form A
    # B: the university corrects the family name meanwhile.
    records.update_profile(hana, {"family_name": "佐藤"}, Actor(Source.UNIVERSITY, None,
                                                                 hana.enrolments[0].university_id))
    db.session.commit()
    response = client.submit("/me/profile", profile_form(hana, family_name="山田",
                                                         given_name="華子", version=version))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this record after you opened the form" in page
    assert "佐藤" in page and "Now saved" in page  # shows what changed
    db.session.expire_all()
    person = db.session.get(Registrant, hana.id)
    assert (person.family_name, person.given_name) == ("佐藤", "花子")
    assert db.session.scalar(sa.select(sa.func.count(RecordChange.id)).where(
        RecordChange.action == "update")) == 1  # only B's
    # Saving again from the refreshed form is a deliberate choice, and is saved.
    newer = VERSION_RE.search(page).group(1)
    assert newer != version
    again = client.submit("/me/profile", profile_form(person, given_name="華子", version=newer))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registrant, hana.id).given_name == "華子"


def test_rule7_stale_staff_correction_does_not_undo_the_registrants_edit(client, login, hana):
    enrolment = hana.enrolments[0]
    url = f"/records/{hana.doctor_id}/enrolments/{enrolment.id}"
    login("editor@home.example")
    version = opened_version(client, url)  # form A, opened by the staff member
    # B: the registrant changes their major.
    records.update_enrolment(enrolment, {"major": "Astrophysics"}, Actor.for_account(
        hana.account))
    db.session.commit()
    response = client.submit(url, enrolment_form(enrolment, major="Physics",
                                                 status="withdrawn", version=version))
    assert response.status_code == 409
    assert "Astrophysics" in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Enrolment, enrolment.id)
    assert (saved.major, saved.status) == ("Astrophysics", "degree_awarded")


def test_rule3_stale_career_form_is_refused_on_both_sides(client, login, hana):
    spell = records.add_career_spell(hana, {
        "start_month": __import__("datetime").date(2021, 4, 1), "labour_status": "employed",
        "employer": "Sakura"}, Actor.for_account(hana.account))
    db.session.commit()
    login("hana@example.org")
    mine = opened_version(client, f"/me/careers/{spell.id}")
    records.update_career_spell(spell, {"employer": "Momiji"}, Actor(
        Source.UNIVERSITY, None, hana.enrolments[0].university_id))
    db.session.commit()
    response = client.submit(f"/me/careers/{spell.id}", dict(CAREER, version=mine))
    assert response.status_code == 409 and "Momiji" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CareerSpell, spell.id).employer == "Momiji"


def test_two_racing_saves_of_one_loaded_record_cannot_both_win(hana):
    """The version column guards the window between the check and the write too."""
    actor = Actor.for_account(hana.account)
    version = hana.version
    db.session.expire_on_commit = False  # this request keeps what it loaded
    db.session.commit()
    # Another writer saves between this request's load and its flush.
    with db.engine.begin() as other:
        other.execute(sa.update(Registrant.__table__).where(Registrant.id == hana.id)
                      .values(family_name="佐藤", version=Registrant.version + 1))
    with pytest.raises(records.StaleRecord):
        records.update_profile(hana, {"given_name": "華子", "version": version}, actor)
    db.session.rollback()
    db.session.expire_on_commit = True
    assert (db.session.get(Registrant, hana.id).family_name,
            db.session.get(Registrant, hana.id).given_name) == ("佐藤", "花子")
