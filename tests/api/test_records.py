"""Staff and administrators through the API: alumni, records, upserts, corrections (rule 4)."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.registrants.models import Enrolment, Registrant
from tests.api.conftest import auth, student
from tests.factories import outbox


def test_staff_list_only_their_own_alumni(client, world):
    raw = world.token(world.editor)
    response = client.get("/api/v1/alumni", headers=auth(raw))
    assert response.status_code == 200
    ids = [item["doctor_id"] for item in response.json["items"]]
    assert ids == [world.person_a.doctor_id]
    assert response.json["items"][0]["university"] == "A"
    assert "Set-Cookie" not in response.headers  # a token request never starts a session


def test_admin_lists_everyone(client, world):
    response = client.get("/api/v1/alumni", headers=auth(world.token(world.admin)))
    ids = {item["doctor_id"] for item in response.json["items"]}
    assert {world.person_a.doctor_id, world.person_b.doctor_id} <= ids


def test_keyset_pages_cover_every_row_once_and_a_tampered_cursor_is_refused(client, world):
    raw = world.university_token(world.a)
    students = [student(f"P{n:03d}") for n in range(7)]
    assert client.post("/api/v1/universities/A/students", json={"students": students},
                       headers=auth(raw)).status_code == 200
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/alumni", query_string=query, headers=auth(raw)).json
        seen += [item["enrolment_id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8 and pages == 3
    first = client.get("/api/v1/alumni", query_string={"limit": 3}, headers=auth(raw)).json
    tampered = first["next_cursor"][:-2] + ("AA" if first["next_cursor"][-2:] != "AA" else "BB")
    response = client.get("/api/v1/alumni", query_string={"cursor": tampered},
                          headers=auth(raw))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == [{"field": "cursor", "item": None,
                                        "message": "not a cursor this API gave out"}] or \
        response.json["errors"][0]["field"] == "cursor"


def test_filters_are_validated_and_applied(client, world):
    raw = world.token(world.admin)
    response = client.get("/api/v1/alumni", query_string={"status": "graduated"},
                          headers=auth(raw))
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "status"
    response = client.get("/api/v1/alumni", query_string={"status": "enrolled"},
                          headers=auth(raw))
    assert response.status_code == 200 and response.json["items"] == []  # both graduated


def test_read_a_record_with_provenance_and_the_read_is_audited(client, world):
    raw = world.token(world.viewer)
    response = client.get(f"/api/v1/registrants/{world.person_a.doctor_id}", headers=auth(raw))
    assert response.status_code == 200
    body = response.json
    assert body["profile"]["provenance"]["supplied_by"] == "registrant"
    assert body["enrolments"][0]["university"] == "A"
    viewed = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "record.viewed",
        AuditEvent.subject_registrant_id == world.person_a.id))
    assert viewed is not None and viewed.actor_account_id == world.viewer.id
    call = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api.call"))
    assert call.object_type == "api_token" and call.request_id == viewed.request_id


def test_another_universitys_registrant_is_a_404_and_audited(client, world):
    raw = world.token(world.editor)
    response = client.get(f"/api/v1/registrants/{world.person_b.doctor_id}", headers=auth(raw))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
    missing = client.get("/api/v1/registrants/D-NOBODY", headers=auth(raw))
    assert missing.json["title"] == response.json["title"]  # nothing tells the two apart
    refused = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "record.refused")).all()
    assert len(refused) == 2


def test_opt_out_takes_effect_on_the_next_call(client, world):
    raw = world.token(world.editor)
    path = f"/api/v1/registrants/{world.person_a.doctor_id}"
    assert client.get(path, headers=auth(raw)).status_code == 200
    world.person_a.share_with_university = False
    db.session.commit()
    assert client.get(path, headers=auth(raw)).status_code == 404
    assert client.get("/api/v1/alumni", headers=auth(raw)).json["items"] == []


def test_non_cooperating_university_sees_nothing(client, world, make_account):
    closed = make_account(role="staff", university=world.closed, email="c@example.org")
    raw = world.token(closed)
    assert client.get("/api/v1/alumni", headers=auth(raw)).json["items"] == []
    response = client.post("/api/v1/universities/C/students",
                           json={"students": [student("X1")]}, headers=auth(raw))
    assert response.status_code in (403, 404)  # viewer by default: no records:write scope


def test_upsert_twice_changes_nothing_the_second_time(client, world):
    raw = world.university_token(world.a)
    students = [student(f"S{n:03d}") for n in range(20)]
    first = client.post("/api/v1/universities/A/students", json={"students": students},
                        headers=auth(raw))
    assert first.status_code == 200, first.json
    assert first.json["new"] == 20 and first.json["updated"] == 0
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Registrant))
    second = client.post("/api/v1/universities/A/students", json={"students": students},
                         headers=auth(raw))
    assert second.json == {"new": 0, "updated": 0, "unchanged": 20, "unavailable": 0,
                           "unavailable_items": [], "dry_run": False}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registrant)) == count
    students[3]["status"] = "withdrawn"
    students[3]["status_date"] = "2023-03-31"
    third = client.post("/api/v1/universities/A/students", json={"students": students},
                        headers=auth(raw))
    assert third.json["updated"] == 1 and third.json["unchanged"] == 19


def test_one_bad_item_refuses_the_whole_upsert_and_names_the_item(client, world):
    raw = world.university_token(world.a)
    students = [student("T1"), student("T2", status="degree_awarded",
                                        status_date="2024-03-31"), student("T3")]
    response = client.post("/api/v1/universities/A/students", json={"students": students},
                           headers=auth(raw))
    assert response.status_code == 422
    assert {"item": 1, "field": "degree",
            "message": "is required when the degree was awarded"} in response.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
        Enrolment.student_number.in_(["T1", "T3"]))) == 0
    response = client.post("/api/v1/universities/A/students",
                           json={"students": [student("T1"), {"student_number": "T9"}]},
                           headers=auth(raw))
    assert response.status_code == 422
    assert {e["item"] for e in response.json["errors"]} == {1}


def test_dry_run_counts_and_writes_nothing(client, world):
    raw = world.university_token(world.a)
    response = client.post("/api/v1/universities/A/students?dry_run=true",
                           json={"students": [student("D1")]}, headers=auth(raw))
    assert response.json["new"] == 1 and response.json["dry_run"] is True
    assert db.session.scalar(sa.select(Enrolment.id).where(
        Enrolment.student_number == "D1")) is None


def test_cross_university_upsert_is_refused(client, world):
    raw = world.university_token(world.a)
    response = client.post("/api/v1/universities/B/students",
                           json={"students": [student("Z1")]}, headers=auth(raw))
    assert response.status_code == 404
    assert db.session.scalar(sa.select(Enrolment.id).where(
        Enrolment.student_number == "Z1")) is None


def test_a_viewer_cannot_write_and_a_read_token_lacks_the_scope(client, world):
    response = client.post("/api/v1/universities/A/students",
                           json={"students": [student("V1")]},
                           headers=auth(world.token(world.viewer)))
    assert response.status_code == 403
    read_only = world.token(world.editor, "records:read")
    response = client.post("/api/v1/universities/A/students",
                           json={"students": [student("V1")]}, headers=auth(read_only))
    assert response.status_code == 403 and "records:write" in response.json["detail"]
    response = client.patch(f"/api/v1/registrants/{world.person_a.doctor_id}/profile",
                            json={"family_name": "X"}, headers=auth(read_only))
    assert response.status_code == 403


def test_correcting_a_profile_tells_the_registrant_and_a_stale_version_is_a_409(client, world):
    raw = world.token(world.editor)
    path = f"/api/v1/registrants/{world.person_a.doctor_id}/profile"
    version = world.person_a.version
    response = client.patch(path, json={"given_name": "Hanako", "version": version},
                            headers=auth(raw))
    assert response.status_code == 200, response.json
    assert response.json["changed"] == ["given_name"]
    assert outbox(to="a@example.org", kind="corrected")
    again = client.patch(path, json={"given_name": "Hana", "version": version},
                         headers=auth(raw))
    assert again.status_code == 409 and again.json["errors"][0]["field"] == "given_name"
    bad = client.patch(path, json={"birth_year": 2020}, headers=auth(raw))
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "birth_year"
    other = client.patch(f"/api/v1/registrants/{world.person_b.doctor_id}/profile",
                         json={"given_name": "X"}, headers=auth(raw))
    assert other.status_code == 404


def test_body_must_be_json(client, world):
    raw = world.university_token(world.a)
    response = client.post("/api/v1/universities/A/students", data="students=1",
                           headers=auth(raw), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    response = client.post("/api/v1/universities/A/students", data="{not json",
                           headers=auth(raw), content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_a_search_with_a_control_character_is_a_search_not_an_error(client, world):
    """A NUL (which neither database takes in a string) or a tab in the name separates
    words, in the API as on the page."""
    raw = world.token(world.editor)
    name = world.person_a.family_name_roman or world.person_a.family_name
    for term in (f"{name}\x00", f"\t{name}", "\x00"):
        response = client.get("/api/v1/alumni", query_string={"name": term},
                              headers=auth(raw))
        assert response.status_code == 200, (term, response.get_data(as_text=True)[:300])
        assert [item["doctor_id"] for item in response.json["items"]] \
            == [world.person_a.doctor_id]


def test_security_baseline_a_nul_in_a_json_body_is_a_space(client, world):
    raw = world.university_token(world.a)
    response = client.post("/api/v1/universities/A/students", headers=auth(raw),
                           json={"students": [student("N1", family_name="佐\x00藤")]})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert db.session.scalar(sa.select(Registrant.family_name).where(
        Registrant.given_name == "学N1")) == "佐 藤"
