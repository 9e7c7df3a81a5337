"""Registrants through the API: their own record, read and updated (data portability)."""
from __future__ import annotations

from tests.api.conftest import auth
from tests.factories import outbox


def test_a_registrant_reads_and_updates_their_own_record(client, world, login):
    login("a@example.org")
    record = client.get("/api/v1/me")
    assert record.status_code == 200
    assert record.json["doctor_id"] == world.person_a.doctor_id
    assert record.json["enrolments"][0]["provenance"]["supplied_by"] == "registrant"
    csrf = {"X-CSRFToken": client.csrf_token()}
    response = client.patch("/api/v1/me/profile", json={"orcid": "0000-0002-1825-0097"},
                            headers=csrf)
    assert response.status_code == 200 and response.json["changed"] == ["orcid"]
    assert client.get("/api/v1/me").json["profile"]["orcid"] == "0000-0002-1825-0097"
    assert not outbox(kind="corrected")  # their own change: nobody needs telling
    bad = client.patch("/api/v1/me/profile", json={"orcid": "0000-0002-1825-0098"},
                       headers=csrf)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "orcid"
    unknown = client.patch("/api/v1/me/profile", json={"doctor_id": "D-1"}, headers=csrf)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "doctor_id"


def test_staff_and_tokens_have_no_me(client, world):
    assert client.get("/api/v1/me", headers=auth(world.token(world.admin))).status_code == 403
    assert client.get("/api/v1/me").status_code == 401
