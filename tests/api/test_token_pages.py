"""The token pages: made and shown once, listed by prefix, revoked; each role its own."""
from __future__ import annotations

import re

import sqlalchemy as sa

from jgrad.api.models import ApiToken
from jgrad.extensions import db
from tests.api.conftest import auth

TOKEN = re.compile(r'<code id="new-token">(jgr_[^<]+)</code>')


def test_staff_make_a_token_shown_once_and_revoke_it(client, world, login):
    login("ed.a@example.org")
    page = client.get("/tokens/").get_data(as_text=True)
    assert "records:write" in page and "stats:read" not in page
    response = client.submit("/tokens/", {"own-name": "student system",
                                          "own-scopes": ["records:read"], "own-days": "30"})
    raw = TOKEN.search(response.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/alumni", headers=auth(raw)).status_code == 200
    listing = client.get("/tokens/").get_data(as_text=True)
    assert raw not in listing and raw[:12] in listing  # the prefix only, ever after
    token = db.session.scalar(sa.select(ApiToken))
    form = re.search(r'action="/tokens/%d/revoke"[^>]*><input type="hidden" name="([^"]+)" '
                     r'value="([^"]+)"' % token.id, listing)
    response = client.post(f"/tokens/{token.id}/revoke", data={form.group(1): form.group(2)})
    assert response.status_code == 302  # the page's own form, as the browser sends it
    assert client.get("/api/v1/alumni", headers=auth(raw)).status_code == 401


def test_a_viewer_cannot_make_a_write_token(client, world, login):
    login("vw.a@example.org")
    response = client.submit("/tokens/", {"own-name": "x", "own-scopes": ["records:write"],
                                          "own-days": "30"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_others_cannot_revoke_or_see_someone_elses_token(client, world, login):
    world.token(world.other)
    token = db.session.scalar(sa.select(ApiToken))
    login("ed.a@example.org")
    assert token.prefix not in client.get("/tokens/").get_data(as_text=True)
    assert client.submit(f"/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_an_administrator_makes_a_university_token(client, world, login):
    login("ad@example.org")
    response = client.submit("/tokens/university", {
        "university-university_id": str(world.a.id), "university-name": "SIS sync",
        "university-scopes": ["records:read", "records:write"], "university-days": "90"})
    raw = TOKEN.search(response.get_data(as_text=True)).group(1)
    response = client.get(f"/api/v1/registrants/{world.person_a.doctor_id}", headers=auth(raw))
    assert response.status_code == 200
    response = client.get(f"/api/v1/registrants/{world.person_b.doctor_id}", headers=auth(raw))
    assert response.status_code == 404
    assert "SIS sync" in client.get("/tokens/").get_data(as_text=True)


def test_the_command_line_makes_lists_and_revokes(runner, world, client):
    result = runner.invoke(args=["api", "token", "create", "--by", "ad@example.org",
                                 "--university", "A", "--scope", "records:read",
                                 "--name", "cli"])
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip().splitlines()[-1]
    assert client.get("/api/v1/alumni", headers=auth(raw)).status_code == 200
    listed = runner.invoke(args=["api", "token", "list"])
    assert raw[4:12] in listed.output and raw not in listed.output
    runner.invoke(args=["api", "token", "revoke", raw[4:12], "--by", "ad@example.org"])
    assert client.get("/api/v1/alumni", headers=auth(raw)).status_code == 401
    refused = runner.invoke(args=["api", "token", "create", "--by", "ed.a@example.org",
                                  "--university", "A", "--scope", "records:read",
                                  "--name", "x"])
    assert refused.exit_code != 0
