"""Administrators through the API: survey definitions and response exports, audited."""
from __future__ import annotations

import json
from importlib import resources

import sqlalchemy as sa

from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from surveys import load_definition, services
from surveys.models import Invitation, Response
from tests.api.conftest import auth


def _survey_with_a_response(world):
    example = json.loads(resources.files("surveys").joinpath(
        "examples/career_wave.json").read_text("utf-8"))
    survey, version = services.store(load_definition(example))
    db.session.flush()
    invitation = Invitation(survey_id=survey.id, registrant_id=world.person_a.id,
                            token_hash="1" * 64, state="started")
    db.session.add(invitation)
    db.session.flush()
    db.session.add(Response(invitation_id=invitation.id, registrant_id=world.person_a.id,
                            survey_version_id=version.id))
    db.session.commit()
    return survey


def test_administrators_read_definitions_and_export_responses(client, world):
    survey = _survey_with_a_response(world)
    raw = world.token(world.admin, "surveys:read", "responses:export")
    listed = client.get("/api/v1/surveys", headers=auth(raw)).json["items"]
    assert [s["slug"] for s in listed] == [survey.slug]
    definition = client.get(f"/api/v1/surveys/{survey.slug}", headers=auth(raw)).json
    assert definition["definition"]["slug"] == survey.slug
    again = load_definition(definition["definition"])  # the format round-trips
    assert again.slug == survey.slug
    export = client.get(f"/api/v1/surveys/{survey.slug}/responses", headers=auth(raw)).json
    assert export["columns"][:4] == ["response_id", "doctor_id", "survey_version", "complete"]
    assert [r["doctor_id"] for r in export["rows"]] == [world.person_a.doctor_id]
    assert {c["variable"] for c in export["codebook"]} == set(export["columns"])
    exported = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "record.exported")).all()
    assert [e.subject_registrant_id for e in exported] == [world.person_a.id]
    assert client.get("/api/v1/surveys/nope", headers=auth(raw)).status_code == 404


def test_survey_scopes_and_roles(client, world):
    survey = _survey_with_a_response(world)
    read_only = world.token(world.admin, "surveys:read")
    response = client.get(f"/api/v1/surveys/{survey.slug}/responses", headers=auth(read_only))
    assert response.status_code == 403
    for account in (world.editor, world.analyst):
        response = client.get("/api/v1/surveys", headers=auth(world.token(account)))
        assert response.status_code == 403
