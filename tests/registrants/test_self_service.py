"""Rules 1 and 3: a registrant views, corrects and deletes their own record, with provenance."""
import datetime as dt
import io
import json
import zipfile

import sqlalchemy as sa

from jgrad.accounts.models import AccountState
from jgrad.actors import Actor, Source
from jgrad.extensions import db
from jgrad.registrants import services as records
from jgrad.registrants.history import ConsentChange, DeletionRequest, RecordChange
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from tests.factories import PASSWORD, outbox

CAREER = {
    "start_month": "2021-04", "end_month": "", "labour_status": "employed",
    "employer": "Sakura Pharma", "sector": "company", "country": "JP", "prefecture": "13",
    "job_title": "Researcher", "academic_rank": "", "employment_term": "fixed_term",
    "contract_months": "36", "working_hours": "full_time", "income_band": "6to8m",
    "relatedness": "closely",
}


def profile_form(registrant, **changes) -> dict:
    form = {name: getattr(registrant, name) or "" for name in records.PROFILE_FIELDS}
    form["birth_year"] = str(registrant.birth_year)
    form.update(changes)
    return form


def test_rule3_registrant_sees_their_whole_record_with_provenance(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    page = client.get("/me").get_data(as_text=True)
    assert registrant.doctor_id in page
    assert "Graduate School of Science" in page
    assert "Supplied by you" in page


def test_the_record_page_lists_every_enrolment_and_career_entry_in_order(
        client, login, make_registrant, make_university):
    """The page reads the whole record in one query: each enrolment (oldest entry first,
    with its university's name) and each career entry (latest first) shows once."""
    registrant = make_registrant(email="hana@example.org")
    other = make_university()
    actor = Actor.for_account(registrant.account)
    records.add_enrolment(registrant, dict(
        university_id=other.id, graduate_school="Graduate School of Letters", field="02",
        programme_type="latter", entry_date=dt.date(2012, 4, 1), status="withdrawn",
        status_date=dt.date(2013, 3, 31)), actor)
    for year, employer in ((2019, "First Lab"), (2023, "Third Lab"), (2021, "Second Lab")):
        records.add_career_spell(registrant, dict(
            CAREER, start_month=dt.date(year, 4, 1), end_month=None, employer=employer,
            contract_months=36), actor)
    db.session.commit()
    login("hana@example.org")
    page = client.get("/me").get_data(as_text=True)
    schools = [page.index(s) for s in ("Graduate School of Letters",
                                       "Graduate School of Science")]
    labs = [page.index(s) for s in ("Third Lab", "Second Lab", "First Lab")]
    assert schools == sorted(schools) and labs == sorted(labs)
    assert page.count("Third Lab") == 1 and other.name_en in page


def test_rule1_university_supplied_items_show_the_university_as_source(
        client, login, make_registrant, make_university, make_account):
    university = make_university()
    registrant = make_registrant(email="hana@example.org", university=university)
    from jgrad.accounts.models import Role

    staff = make_account(role=Role.STAFF, university=university)
    records.add_enrolment(registrant, dict(
        university_id=university.id, graduate_school="Graduate School of Medicine",
        field="09", programme_type="four_year", entry_date=dt.date(2010, 4, 1),
        status="withdrawn", status_date=dt.date(2011, 3, 31), student_number="M-100",
    ), Actor.for_account(staff))
    db.session.commit()
    login("hana@example.org")
    page = client.get("/me").get_data(as_text=True)
    assert f"Supplied by {university.name_en}" in page
    change = db.session.scalar(sa.select(RecordChange).where(
        RecordChange.actor_source == Source.UNIVERSITY))
    assert change.actor_university_id == university.id and change.action == "create"


def test_rule3_profile_correction_is_saved_with_history(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    response = client.submit("/me/profile", profile_form(
        registrant, given_name="花", orcid="https://orcid.org/0000-0002-1825-0097"))
    assert response.status_code == 302
    db.session.refresh(registrant)
    assert registrant.given_name == "花"
    assert registrant.orcid == "0000-0002-1825-0097"
    assert registrant.changed_by == Source.REGISTRANT
    change = db.session.scalars(sa.select(RecordChange).where(
        RecordChange.action == "update")).one()
    assert change.changes["given_name"] == ["花子", "花"]
    history = client.get("/me/history").get_data(as_text=True)
    assert "Given name: 花子 → 花" in history


def test_orcid_with_a_wrong_check_digit_is_refused(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    response = client.submit("/me/profile", profile_form(registrant, orcid="0000-0002-1825-0098"))
    assert response.status_code == 200
    assert "This is not a valid ORCID iD" in response.get_data(as_text=True)
    db.session.refresh(registrant)
    assert registrant.orcid is None


def test_rule3_career_spells_can_be_added_edited_and_deleted(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    assert client.submit("/me/careers/new", CAREER).status_code == 302
    spell = db.session.scalar(sa.select(CareerSpell))
    assert spell.start_month == dt.date(2021, 4, 1) and spell.end_month is None
    assert spell.contract_months == 36 and spell.supplied_by == Source.REGISTRANT
    edited = dict(CAREER, end_month="2024-03")
    assert client.submit(f"/me/careers/{spell.id}", edited).status_code == 302
    db.session.refresh(spell)
    assert spell.end_month == dt.date(2024, 3, 1)
    assert client.submit(f"/me/careers/{spell.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CareerSpell.id))) == 0
    actions = db.session.scalars(sa.select(RecordChange.action).where(
        RecordChange.record_type == "career_spell").order_by(RecordChange.id)).all()
    assert actions == ["create", "update", "delete"]
    owners = db.session.scalars(sa.select(RecordChange.registrant_id).where(
        RecordChange.record_type == "career_spell")).all()
    assert owners == [registrant.id] * 3


def test_invalid_career_spell_is_explained_and_nothing_is_saved(client, login, make_registrant):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    bad = dict(CAREER, end_month="2020-01", country="US", prefecture="13",
               employment_term="permanent")
    response = client.submit("/me/careers/new", bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The end cannot be before the start." in text
    assert "A prefecture applies only to work in Japan." in text
    assert "A contract length applies only to fixed-term work." in text
    assert db.session.scalar(sa.select(sa.func.count(CareerSpell.id))) == 0


def test_rule3_enrolments_can_be_added_and_the_last_one_is_kept(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    only = registrant.enrolments[0]
    response = client.submit(f"/me/enrolments/{only.id}/delete", follow_redirects=True)
    assert "at least one doctoral enrolment" in response.get_data(as_text=True)
    form = {"university_id": str(only.university_id), "graduate_school": "Graduate School of Law",
            "field": "04", "programme_type": "latter", "entry_date": "2015-04-01",
            "status": "withdrawn", "status_date": "2016-03-31"}
    assert client.submit("/me/enrolments/new", form).status_code == 302
    assert client.submit(f"/me/enrolments/{only.id}/delete").status_code == 302
    remaining = db.session.scalars(sa.select(Enrolment)).all()
    assert [e.graduate_school for e in remaining] == ["Graduate School of Law"]


def test_a_registrant_cannot_reach_another_registrants_records(client, login, make_registrant):
    mine = make_registrant(email="hana@example.org")
    theirs = make_registrant(email="taro@example.org")
    login("hana@example.org")
    their_enrolment = theirs.enrolments[0].id
    assert client.get(f"/me/enrolments/{their_enrolment}").status_code == 404
    assert client.submit(f"/me/enrolments/{their_enrolment}/delete").status_code == 404
    assert db.session.get(Enrolment, their_enrolment) is not None
    assert mine.enrolments


def test_rule3_sharing_settings_change_at_once_with_history(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    response = client.submit("/me/settings", {"accept_contact": "y"})  # sharing unticked
    assert response.status_code == 302
    db.session.refresh(registrant)
    assert registrant.share_with_university is False and registrant.accept_contact is True
    history = db.session.scalars(sa.select(ConsentChange).where(
        ConsentChange.setting == "share_with_university").order_by(ConsentChange.id)).all()
    assert [(c.old_value, c.new_value) for c in history] == [(None, True), (True, False)]
    assert history[-1].actor_source == Source.REGISTRANT


def test_rule3_download_all_data_as_json_and_csv_zip(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    client.submit("/me/careers/new", CAREER)
    response = client.get("/me/download/jgrad-record.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["doctor_id"] == registrant.doctor_id
    assert data["profile"]["family_name"] == "山田"
    assert data["profile"]["supplied_by"] == "registrant"
    assert data["enrolments"][0]["graduate_school"] == "Graduate School of Science"
    assert data["career_spells"][0]["employer"] == "Sakura Pharma"
    assert {c["action"] for c in data["record_changes"]} == {"create"}
    assert len(data["consent_changes"]) == 2
    archive = zipfile.ZipFile(io.BytesIO(client.get("/me/download/jgrad-record.zip").data))
    assert {"profile.csv", "enrolments.csv", "career_spells.csv", "record_changes.csv",
            "consent_changes.csv", "access_events.csv"} <= set(archive.namelist())
    profile_csv = archive.read("profile.csv").decode("utf-8-sig")
    assert "Family name" in profile_csv.splitlines()[0] and "山田" in profile_csv
    assert "family_name" not in profile_csv and ",you," in profile_csv  # words, not codes
    assert "Sakura Pharma" in archive.read("career_spells.csv").decode("utf-8-sig")
    client.submit("/lang", {"lang": "ja", "next": "/me"})
    japanese = zipfile.ZipFile(io.BytesIO(client.get("/me/download/jgrad-record.zip").data))
    from tests.test_japanese_everywhere import ENGLISH_RUN
    for name in japanese.namelist():
        text = japanese.read(name).decode("utf-8-sig")
        for data in ("Graduate School of Science", "Doctor of Science", "Sakura Pharma"):
            text = text.replace(data, "")  # what the person typed, not the site's words
        assert not ENGLISH_RUN.findall(text), (name, ENGLISH_RUN.findall(text))
    assert "姓" in japanese.read("profile.csv").decode("utf-8-sig").splitlines()[0]


def test_rule3_deletion_request_needs_the_password(client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    response = client.submit("/me/delete", {"password": "not my password", "confirm": "y"})
    assert "This is not your password." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DeletionRequest.id))) == 0
    db.session.refresh(registrant.account)
    assert registrant.account.state == AccountState.ACTIVE


def test_rule3_deletion_request_suspends_at_once_with_a_30_day_deadline(
        client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    response = client.submit("/me/delete", {"password": PASSWORD, "confirm": "y",
                                            "reason": "I left research."})
    assert response.status_code == 200
    assert "Your request has been recorded" in response.get_data(as_text=True)
    request = db.session.scalar(sa.select(DeletionRequest))
    assert request.due_at - request.requested_at == dt.timedelta(days=30)
    assert request.channel == "web" and request.verified_by == "password"
    account = db.session.get(Registrant, registrant.id).account
    assert account.state == AccountState.SUSPENDED
    assert client.get("/me").status_code == 302  # logged out
    again = client.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    assert "This account is suspended." in again.get_data(as_text=True)
    assert outbox(to="hana@example.org", kind="deletion_requested")


def test_other_roles_have_no_registrant_pages(client, login, make_account):
    make_account(email="admin@example.org")
    login("admin@example.org")
    assert client.get("/me").status_code == 403
    assert client.get("/me/download/jgrad-record.json").status_code == 403


def test_enrolment_status_needs_its_date_and_an_awarded_degree_its_name(
        client, login, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    form = {"university_id": str(registrant.enrolments[0].university_id),
            "graduate_school": "Graduate School of Law", "field": "04",
            "programme_type": "latter", "entry_date": "2015-04-01",
            "status": "degree_awarded", "status_date": "", "degree_name": ""}
    response = client.submit("/me/enrolments/new", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give the date of this status." in text
    assert "Name the degree awarded." in text
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 1
    enrolled = dict(form, status="enrolled")
    assert client.submit("/me/enrolments/new", enrolled).status_code == 302


def test_history_shows_labels_and_readable_values(client, login, make_registrant):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    client.submit("/me/careers/new", CAREER)
    history = client.get("/me/history").get_data(as_text=True)
    assert "Sector: — → Company" in history
    assert "Prefecture (in Japan): — → Tokyo" in history
    assert "Field of study: — → Natural sciences, mathematics and statistics" in history
    japanese = client.get("/me/history", headers={"Accept-Language": "ja"}).get_data(
        as_text=True)
    assert "東京都" in japanese
