"""Rules 4, 5 and 7: the university portal sees exactly its own consenting alumni."""
import csv
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
    page = response.get_data(as_text=True)
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
    assert client.get("/records/?entry_year=abc&sort=nonsense").status_code == 200


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
    assert {r["doctor_id"] for r in rows} == {people["hana"].doctor_id, people["taro"].doctor_id}
    exported = db.session.scalars(sa.select(AuditEvent.subject_registrant_id).where(
        AuditEvent.action == "record.exported")).all()
    assert set(exported) == {people["hana"].id, people["taro"].id}
