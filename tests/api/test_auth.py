"""Tokens: who may hold what, 401 for unknown, expired and revoked tokens, 403 for a missing
scope, sessions with CSRF, rate limits, and the same error shape everywhere under /api."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.api import tokens
from jgrad.api.models import ApiToken
from jgrad.audit.models import AuditEvent
from jgrad.db import utcnow
from jgrad.extensions import db
from tests.api.conftest import auth
from tests.factories import PASSWORD


def test_a_token_is_stored_hashed_with_a_visible_prefix(world):
    raw = world.token(world.editor)
    token = db.session.scalar(sa.select(ApiToken))
    assert raw.startswith(f"jgr_{token.prefix}_") and len(raw) >= 4 + 8 + 1 + 43
    assert raw not in token.token_hash and token.token_hash == tokens.digest(raw)


def test_roles_hold_only_their_scopes(world):
    with pytest.raises(tokens.TokenError):
        world.token(world.viewer, "records:write")
    with pytest.raises(tokens.TokenError):
        world.token(world.analyst, "records:read")
    with pytest.raises(tokens.TokenError):
        world.token(world.person_a.account, "records:read")
    with pytest.raises(tokens.TokenError):
        tokens.create_university_token(world.a, name="x", scopes=["stats:read"], days=5,
                                       by=world.admin)
    with pytest.raises(tokens.TokenError):
        tokens.create_university_token(world.a, name="x", scopes=["records:read"], days=5,
                                       by=world.editor)


def test_a_university_token_acts_as_a_service_account_that_cannot_sign_in(client, world):
    world.university_token(world.a)
    token = db.session.scalar(sa.select(ApiToken))
    service = db.session.get(Account, token.account_id)
    assert service.university_id == world.a.id and service.is_editor
    assert service.password_hash is None and service.email is None
    response = client.submit("/login", {"identifier": service.login, "password": PASSWORD})
    assert response.status_code != 302  # no password: never a session


@pytest.mark.parametrize("header", ["Bearer jgr_00000000_nothing", "Bearer ", "Basic abc",
                                    "Bearer " + "x" * 5000])
def test_unknown_or_malformed_tokens_are_a_401_problem(client, world, header):
    response = client.get("/api/v1/alumni", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_are_refused_at_once(client, world):
    raw = world.token(world.editor)
    assert client.get("/api/v1/alumni", headers=auth(raw)).status_code == 200
    tokens.revoke(db.session.scalar(sa.select(ApiToken)), world.admin)
    db.session.commit()
    assert client.get("/api/v1/alumni", headers=auth(raw)).status_code == 401
    expired = world.token(world.editor)
    token = db.session.scalar(sa.select(ApiToken).order_by(ApiToken.id.desc()))
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/alumni", headers=auth(expired)).status_code == 401
    refused = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "api.token.refused")).all()
    assert len(refused) == 2


def test_a_suspended_account_s_token_stops_working(client, world):
    raw = world.token(world.editor)
    world.editor.suspend(reason="test")
    db.session.commit()
    assert client.get("/api/v1/alumni", headers=auth(raw)).status_code == 401


def test_a_demoted_editor_loses_write_even_with_the_scope(client, world):
    raw = world.token(world.editor, "records:read", "records:write")
    world.editor.staff_role = "viewer"
    db.session.commit()
    response = client.patch(f"/api/v1/registrants/{world.person_a.doctor_id}/profile",
                            json={"given_name": "X"}, headers=auth(raw))
    assert response.status_code == 403


def test_scopes_are_checked_per_operation(client, world):
    stats_only = world.token(world.admin, "stats:read")
    assert client.get("/api/v1/alumni", headers=auth(stats_only)).status_code == 403
    assert client.get("/api/v1/releases", headers=auth(stats_only)).status_code == 200
    assert client.get("/api/v1/surveys", headers=auth(stats_only)).status_code == 403


def test_last_use_is_noted(client, world):
    raw = world.token(world.analyst)
    client.get("/api/v1/releases", headers=auth(raw))
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_logged_out_visitors_get_a_401_not_the_login_page(client, world):
    response = client.get("/api/v1/alumni")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_a_session_may_read_but_writes_need_the_csrf_header(client, world, login):
    login("ed.a@example.org")
    assert client.get("/api/v1/alumni").status_code == 200
    path = f"/api/v1/registrants/{world.person_a.doctor_id}/profile"
    response = client.patch(path, json={"given_name": "Hanako"})
    assert response.status_code == 400 and "X-CSRFToken" in response.json["detail"]
    response = client.patch(path, json={"given_name": "Hanako"},
                            headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 200 and response.json["changed"] == ["given_name"]


def test_a_token_request_ignores_the_session_cookie(client, world, login):
    login("ed.a@example.org")
    raw = world.token(world.analyst)
    response = client.get("/api/v1/alumni", headers=auth(raw))
    assert response.status_code == 403  # the analyst's token, not the editor's session


def test_unknown_paths_and_methods_are_json_problems(client, world):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = client.delete("/api/v1/alumni", headers=auth(world.token(world.admin)))
    assert response.status_code == 405 and response.json["status"] == 405
    assert "GET" in response.headers["Allow"]
    assert client.get("/not-the-api").mimetype == "text/html"  # the site keeps its pages


def test_an_oversized_body_is_a_413_problem(client, world, app):
    raw = world.token(world.editor)
    body = b'{"given_name": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    response = client.patch(f"/api/v1/registrants/{world.person_a.doctor_id}/profile",
                            data=body, content_type="application/json", headers=auth(raw))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("app_config", [{"API_RATE_LIMIT": "3 per minute"}])
def test_rate_limits_count_per_token(client, world, app_config):
    one, two = world.token(world.analyst), world.token(world.analyst)
    statuses = [client.get("/api/v1/releases", headers=auth(one)).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/releases", headers=auth(one))
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/releases", headers=auth(two)).status_code == 200


def test_every_call_is_audited_with_the_token(client, world):
    raw = world.token(world.analyst)
    client.get("/api/v1/releases", headers=auth(raw))
    token = db.session.scalar(sa.select(ApiToken))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api.call"))
    assert event.object_id == str(token.id) and event.actor_account_id == world.analyst.id
    assert event.details["token"] == token.prefix and event.details["status"] == 200


@pytest.mark.parametrize("app_config", [{"API_REFUSED_RATE_LIMIT": "3 per minute"}])
def test_guessing_tokens_is_limited_per_client_whatever_the_token(client, world, app_config):
    statuses = [client.get("/api/v1/alumni",
                           headers={"Authorization": f"Bearer jgr_{n:08d}_guess"}).status_code
                for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_problems_speak_the_callers_language(client, world):
    """A problem's title and detail follow Accept-Language; English unless asked."""
    raw = world.token(world.analyst, "stats:read")
    english = client.get("/api/v1/releases/999", headers=auth(raw)).get_json()
    japanese = client.get("/api/v1/releases/999", headers={
        **auth(raw), "Accept-Language": "ja"}).get_json()
    assert english["detail"] == "No such release." and english["title"] == "Not found."
    assert japanese["detail"] == "その公表はありません。"
    assert japanese["status"] == english["status"] == 404 and japanese["type"] == english["type"]
    refused = client.get("/api/v1/alumni", headers={"Authorization": "Bearer x",
                                                    "Accept-Language": "ja"}).get_json()
    assert "トークン" in refused["detail"]
