"""Rules 4, 5 and 7: the university portal sees exactly its own consenting alumni."""
import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.actors import Source
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.mail.models import OutboxMessage
from jgrad.registrants.history import RecordChange
from jgrad.registrants.models import Registrant
from tests.factories import PASSWORD, outbox


@pytest.fixture
def campus(make_university, make_registrant, make_account):
    home, elsewhere = make_university(code="HOME"), make_university(code="AWAY")
    people = {
        "hana": make_registrant(email="hana@example.org", university=home,
                                family_name_roman="Yamada", given_name_roman="Hana"),
        "taro": make_registrant(email="taro@example.org", university=home, family_name="鈴木",
                                given_name="太郎", family_name_roman="Suzuki"),
        "away": make_registrant(email="away@example.org", university=elsewhere),
    }
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    viewer = make_account(role=Role.STAFF, university=home, email="viewer@home.example")
    viewer.staff_role = "viewer"
    db.session.commit()
    return home, people


def listed(client, query=""):
    response = client.get(f"/records/{query}")
    assert response.status_code == 200, response.status_code  # an empty list, not a refusal
    page = response.get_data(as_text=True).split("<tbody>")[1]  # rows, not the search box
    return {doctor_id for doctor_id in
            (r.doctor_id for r in db.session.scalars(sa.select(Registrant)))
            if doctor_id in page}


def test_rule4_staff_see_exactly_their_own_consenting_alumni(client, login, campus):
    home, people = campus
    login("viewer@home.example")
    assert listed(client) == {people["hana"].doctor_id, people["taro"].doctor_id}
    assert client.get(f"/records/{people['away'].doctor_id}").status_code == 404
    # Opting out hides the registrant on the very next request.
    people["hana"].share_with_university = False
    db.session.commit()
    assert listed(client) == {people["taro"].doctor_id}
    assert client.get(f"/records/{people['hana'].doctor_id}").status_code == 404
    # So does a suspension, and a university that stops cooperating hides everyone.
    people["taro"].account.suspend(reason="deletion_requested")
    db.session.commit()
    assert listed(client) == set()
    people["hana"].share_with_university = True
    assert "does not take part in joint utilization" not in client.get("/records/").get_data(
        as_text=True)
    home.cooperating = False
    db.session.commit()
    assert listed(client) == set()
    page = client.get("/records/").get_data(as_text=True)
    assert "does not take part in joint utilization at present" in page  # told why
    assert "0 records." in page


def test_rule4_filters_and_search(client, login, campus):
    home, people = campus
    login("viewer@home.example")
    assert listed(client, "?name=suzu") == {people["taro"].doctor_id}
    assert listed(client, "?name=花子") == {people["hana"].doctor_id}
    assert listed(client, "?status=withdrawn") == set()
    assert listed(client, "?completion_year=2021&field=05") == {
        people["hana"].doctor_id, people["taro"].doctor_id}
    bad = client.get("/records/?entry_year=abc&sort=nonsense&field=99")
    assert bad.status_code == 422  # named, not silently ignored
    text = bad.get_data(as_text=True)
    assert "Entry year: give a year such as 2021." in text
    assert "Sort: choose one from the list." in text and "Field of study: choose" in text


def test_find_a_person_by_doctor_id_student_number_and_any_name(client, login, campus,
                                                                 make_account):
    home, people = campus
    hana, taro = people["hana"], people["taro"]
    hana.family_name_kana, hana.given_name_kana = "ヤマダ", "ハナコ"
    hana.enrolments[0].student_number = "D21-777"
    db.session.commit()
    login("viewer@home.example")
    assert listed(client, f"?name={hana.doctor_id.lower()}") == {hana.doctor_id}
    assert listed(client, "?name=D21-777") == {hana.doctor_id}
    assert listed(client, "?name=ヤマダ") == {hana.doctor_id}
    assert listed(client, "?name=yamada hana") == {hana.doctor_id}
    assert listed(client, "?name=山田　花子") == {hana.doctor_id}  # a full-width space
    assert listed(client, "?name=%25") == set()  # a wildcard is a character
    assert listed(client, f"?name={people['away'].doctor_id}") == set()  # not theirs
    # Administrators narrow by university; staff stay on their own whatever they send.
    away = people["away"].enrolments[0].university_id
    assert listed(client, f"?university={away}") == set()
    client.submit("/logout")
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    assert listed(client, f"?university={home.id}") == {hana.doctor_id, taro.doctor_id}
    assert listed(client, f"?university={away}") == {people["away"].doctor_id}
    assert client.get("/records/?university=x").status_code == 422


def test_viewing_a_record_is_audited_and_shown_to_the_registrant(client, login, campus):
    home, people = campus
    login("viewer@home.example")
    page = client.get(f"/records/{people['hana'].doctor_id}").get_data(as_text=True)
    assert "Graduate School of Science" in page and "Supplied by" in page
    client.submit("/logout")
    login("hana@example.org")
    trail = client.get("/me/access").get_data(as_text=True)
    assert "viewed your record" in trail and home.name_en in trail


def test_tampered_ids_get_404_and_an_audit_event(client, login, campus):
    home, people = campus
    login("editor@home.example")
    away = people["away"]
    assert client.get(f"/records/{away.doctor_id}/enrolments/{away.enrolments[0].id}"
                      ).status_code == 404
    hana = people["hana"]
    assert client.get(f"/records/{hana.doctor_id}/enrolments/{away.enrolments[0].id}"
                      ).status_code == 404
    refusals = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "record.refused")).all()
    assert len(refusals) == 2 and all(str(e.outcome) == "denied" for e in refusals)


def test_rule7_university_corrections_keep_provenance_and_tell_the_registrant(
        client, login, campus):
    home, people = campus
    hana = people["hana"]
    login("editor@home.example")
    enrolment = hana.enrolments[0]
    form = {"university_id": str(home.id), "graduate_school": "Graduate School of Science",
            "major": "Astrophysics", "field": "05", "programme_type": "latter",
            "entry_date": "2018-04-01", "status": "degree_awarded",
            "status_date": "2021-03-31", "degree_name": "Doctor of Science"}
    response = client.submit(f"/records/{hana.doctor_id}/enrolments/{enrolment.id}", form)
    assert response.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.major == "Astrophysics"
    assert enrolment.changed_by == Source.UNIVERSITY and enrolment.changed_by_university_id == home.id
    change = db.session.scalar(sa.select(RecordChange).where(RecordChange.action == "update"))
    assert change.changes["major"] == ["Physics", "Astrophysics"]
    [notice] = outbox(to="hana@example.org", kind="corrected")
    assert home.name_en in notice.body_text and "/me/history" in notice.body_text
    client.submit("/logout")
    login("hana@example.org")
    assert "Astrophysics" in client.get("/me/history").get_data(as_text=True)
    assert "corrected your record" in client.get("/me/access").get_data(as_text=True)


def test_viewers_may_not_correct_or_write(client, login, campus):
    home, people = campus
    login("viewer@home.example")
    hana = people["hana"]
    assert client.get(f"/records/{hana.doctor_id}/profile").status_code == 403
    assert client.get("/records/contact").status_code == 403
    assert client.submit(f"/records/{hana.doctor_id}/careers/new", {}).status_code == 403


def test_rule5_message_to_filtered_alumni_who_accept_contact(client, login, campus):
    home, people = campus
    people["taro"].accept_contact = False
    db.session.commit()
    login("editor@home.example")
    page = client.get("/records/contact").get_data(as_text=True)
    assert "1 people" in page
    response = client.submit("/records/contact", {"subject": "Alumni survey",
                                                  "body": "Please tell us about your work."})
    assert response.status_code == 302
    messages = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "contact")).all()
    assert [m.to_address for m in messages] == ["hana@example.org"]
    assert "Please tell us about your work." in messages[0].body_text
    assert messages[0].contact_message_id is not None
    sent = client.get("/records/messages").get_data(as_text=True)
    assert "Alumni survey" in sent and "pending: 1" in sent


def test_export_is_streamed_csv_and_audited_per_registrant(client, login, campus):
    home, people = campus
    login("viewer@home.example")
    response = client.get("/records/export.csv")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["Doctor ID"] for r in rows} == {people["hana"].doctor_id, people["taro"].doctor_id}
    exported = db.session.scalars(sa.select(AuditEvent.subject_registrant_id).where(
        AuditEvent.action == "record.exported")).all()
    assert set(exported) == {people["hana"].id, people["taro"].id}


def test_export_has_labels_and_the_current_job_in_the_readers_language(client, login, campus):
    from jgrad.actors import Actor
    from jgrad.registrants import services as records

    home, people = campus
    hana = people["hana"]
    actor = Actor.for_account(hana.account)
    records.add_career_spell(hana, {"start_month": dt.date(2019, 4, 1), "end_month":
                                    dt.date(2021, 3, 1), "labour_status": "employed",
                                    "employer": "Old Lab"}, actor)
    records.add_career_spell(hana, {"start_month": dt.date(2021, 4, 1), "labour_status":
                                    "employed", "employer": "Kyoto Lab", "sector": "university",
                                    "country": "JP", "employment_term": "fixed_term"}, actor)
    db.session.commit()
    login("viewer@home.example")
    rows = list(csv.DictReader(io.StringIO(client.get("/records/export.csv").get_data(
        as_text=True).lstrip("\ufeff"))))
    mine = next(r for r in rows if r["Doctor ID"] == hana.doctor_id)
    assert mine["Current work: employer"] == "Kyoto Lab"  # the open spell, not the old one
    assert mine["Current work: since"] == "2021-04" and mine["Current work: country"] == "Japan"
    assert mine["Status"] == "Degree awarded" and mine["University"] == home.name_en
    assert mine["Current work: employment term"] == "Fixed-term"
    other = next(r for r in rows if r["Doctor ID"] == people["taro"].doctor_id)
    assert other["Current work: employer"] == ""  # no job: empty, and still one row
    assert len(rows) == 2
    client.submit("/lang", {"lang": "ja", "next": "/records/"})
    ja = list(csv.DictReader(io.StringIO(client.get("/records/export.csv").get_data(
        as_text=True).lstrip("\ufeff"))))
    mine = next(r for r in ja if r["ドクターID"] == hana.doctor_id)
    assert mine["大学"] == home.name_ja and mine["現在の仕事：国"] == "日本"


def test_staff_read_who_and_what_in_words(client, login, campus):
    from jgrad.actors import Actor
    from jgrad.registrants import services as records

    home, people = campus
    hana = people["hana"]
    records.add_career_spell(hana, {"start_month": dt.date(2022, 4, 1),
                                    "labour_status": "employed"}, Actor.for_account(hana.account))
    db.session.commit()
    login("viewer@home.example")
    page = client.get(f"/records/{hana.doctor_id}").get_data(as_text=True)
    assert "Supplied by the registrant" in page and "Supplied by you" not in page
    assert "Career entry: added" in page and "career_spell create" not in page
    assert "(confirmed)" in page and "(valid)" not in page
