"""Two-factor sign-in (TOTP, RFC 6238), checked against an independent implementation (pyotp)."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from jgrad.accounts import totp
from jgrad.accounts.models import Account, RecoveryCode, Role
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from tests.conftest import CSRF_RE
from tests.factories import PASSWORD

CODE_RE = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")
KEY_RE = re.compile(r'<p id="totp-key">[^<]*<code>([A-Z2-7]+)</code>')


@pytest.fixture
def app_config():
    return {"TWO_FACTOR_REQUIRED_ROLES": ("admin",)}


def _password(client, account):
    return client.submit("/login", {"identifier": account.login, "password": PASSWORD})


def _enrol(client):
    """Enrol the logged-in account; return (key, recovery codes)."""
    page = client.get("/me/two-factor/setup")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    key = KEY_RE.search(text).group(1)
    assert "<svg" in text  # the QR code is drawn on the page
    done = client.post("/me/two-factor/setup", data={
        "code": pyotp.TOTP(key).now(), "csrf_token": CSRF_RE.search(text).group(1)})
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    return key, CODE_RE.findall(done.get_data(as_text=True))


def _back_at_the_code_step(client, account):
    client.submit("/logout")
    assert _password(client, account).headers["Location"].endswith("/login/code")


def _next_code(key: str) -> str:
    """A code for the next time step (accepted within the ±1 window, unused so far)."""
    return pyotp.TOTP(key).at(time.time() + totp.STEP_SECONDS)


def test_codes_match_an_independent_implementation():
    key = totp.new_key()
    assert len(key) == 32  # 160 bits in base32
    reference = pyotp.TOTP(key)
    for moment in (0, 59, 1111111109, 1234567890, 2000000000, time.time()):
        assert totp.code_at(key, totp.step_at(moment)) == reference.at(moment)
    # RFC 6238 appendix B, SHA-1, 8 digits truncated to our 6: 94287082 at 59 s
    rfc_key = pyotp.utils.b32encode(b"12345678901234567890") if hasattr(pyotp.utils, "b32encode") \
        else __import__("base64").b32encode(b"12345678901234567890").decode()
    assert totp.code_at(rfc_key, 1) == "287082"


def test_window_is_one_step_either_side_and_a_step_is_used_once():
    key = totp.new_key()
    now = 1_700_000_000.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        assert totp.matching_step(key, totp.code_at(key, step + offset), now=now) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(key, totp.code_at(key, step + offset), now=now) is None
    assert totp.matching_step(key, totp.code_at(key, step), now=now, last_used_step=step) is None
    assert totp.matching_step(key, totp.code_at(key, step + 1), now=now,
                              last_used_step=step) == step + 1
    for bad in ("", "12345", "1234567", "abcdef", "１２３４５６", None):
        assert totp.matching_step(key, bad, now=now) is None
    spaced = totp.code_at(key, step)
    assert totp.matching_step(key, f"{spaced[:3]} {spaced[3:]}", now=now) == step


def test_an_administrator_must_enrol_before_anything_else(app, client, make_account):
    admin = make_account(Role.ADMIN)
    assert _password(client, admin).status_code == 302
    for path in ("/admin/", "/admin/accounts", "/records/", "/stats/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/me/two-factor/setup"), path
    token = CSRF_RE.search(client.get("/me/two-factor/setup").get_data(as_text=True)).group(1)
    posted = client.post("/admin/universities", data={"code": "X", "csrf_token": token})
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/setup")
    key, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/accounts").status_code == 200
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashes only
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert "two_factor.enabled" in actions


def test_log_in_needs_the_code_after_the_password(app, client, make_account):
    admin = make_account(Role.ADMIN)
    _password(client, admin)
    key, _codes = _enrol(client)
    client.submit("/logout")
    response = _password(client, admin)
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/admin/accounts").status_code == 302  # not logged in yet
    wrong = client.submit("/login/code", {"code": "000000" if pyotp.TOTP(key).now() != "000000"
                                          else "111111"})
    assert wrong.status_code == 200 and "not right" in wrong.get_data(as_text=True)
    ok = client.submit("/login/code", {"code": _next_code(key)})
    assert ok.status_code == 302
    assert client.get("/admin/accounts").status_code == 200
    assert db.session.get(Account, admin.id).last_login_at is not None


def test_a_used_code_is_refused_again(app, client, make_account):
    admin = make_account(Role.ADMIN)
    _password(client, admin)
    key, _codes = _enrol(client)
    _back_at_the_code_step(client, admin)
    code = _next_code(key)
    assert client.submit("/login/code", {"code": code}).status_code == 302
    _back_at_the_code_step(client, admin)
    again = client.submit("/login/code", {"code": code})
    assert again.status_code == 200
    assert client.get("/admin/accounts").status_code == 302


def test_recovery_codes_work_once_each(app, client, make_account):
    analyst = make_account(Role.ANALYST)
    _password(client, analyst)
    _key, codes = _enrol(client)
    _back_at_the_code_step(client, analyst)
    used = client.submit("/login/code", {"code": codes[0].upper()}, follow_redirects=True)
    assert "9 are left" in used.get_data(as_text=True)
    _back_at_the_code_step(client, analyst)
    assert client.submit("/login/code", {"code": codes[0]}).status_code == 200
    assert client.get("/stats/").status_code == 302


def test_the_code_step_expires_and_follows_the_account(app, client, make_account):
    admin = make_account(Role.ADMIN)
    _password(client, admin)
    key, _ = _enrol(client)
    _back_at_the_code_step(client, admin)
    account = db.session.get(Account, admin.id)
    account.end_sessions()  # e.g. the password was changed meanwhile
    db.session.commit()
    response = client.submit("/login/code", {"code": _next_code(key)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_wrong_codes_are_limited_with_a_wait(app, client, make_account):
    app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] = "3 per 15 minutes"
    analyst = make_account(Role.ANALYST)
    _password(client, analyst)
    key, _ = _enrol(client)
    _back_at_the_code_step(client, analyst)
    wrong = "000000" if pyotp.TOTP(key).now() != "000000" else "111111"
    for _ in range(3):
        client.submit("/login/code", {"code": wrong})
    locked = client.submit("/login/code", {"code": _next_code(key)})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0


def test_optional_for_other_roles_and_can_be_turned_off(app, client, make_account,
                                                        make_university):
    staff = make_account(Role.STAFF, university=make_university())
    _password(client, staff)
    assert client.get("/records/").status_code == 200  # not required for staff
    key, _ = _enrol(client)
    bad = client.submit("/me/two-factor/off", {"password": "wrong password", "code":
                                               _next_code(key)})
    assert bad.status_code == 422
    assert db.session.get(Account, staff.id).uses_two_factor
    earlier = client.submit("/me/two-factor/off", {"password": PASSWORD, "code":
                                                   pyotp.TOTP(key).at(time.time() - 30)})
    assert earlier.status_code == 422  # a step before the one used at enrolment
    off = client.submit("/me/two-factor/off", {"password": PASSWORD, "code": _next_code(key)})
    assert off.status_code == 302
    assert not db.session.get(Account, staff.id).uses_two_factor
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_an_administrator_cannot_turn_it_off(app, client, make_account):
    admin = make_account(Role.ADMIN)
    _password(client, admin)
    key, _ = _enrol(client)
    response = client.submit("/me/two-factor/off", {"password": PASSWORD,
                                                    "code": _next_code(key)})
    assert response.status_code == 302
    assert db.session.get(Account, admin.id).uses_two_factor


def test_new_recovery_codes_replace_the_old(app, client, make_account):
    analyst = make_account(Role.ANALYST)
    _password(client, analyst)
    key, old = _enrol(client)
    renewed = client.submit("/me/two-factor/recovery-codes",
                            {"password": PASSWORD, "code": _next_code(key)})
    new = CODE_RE.findall(renewed.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    _back_at_the_code_step(client, analyst)
    assert client.submit("/login/code", {"code": old[1]}).status_code == 200
    assert client.submit("/login/code", {"code": new[1]}).status_code == 302


def test_pages_need_a_log_in(client):
    for path in ("/me/two-factor", "/me/two-factor/setup"):
        assert client.get(path).headers["Location"].startswith("/login")
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_the_api_refuses_an_administrator_who_has_not_enrolled(app, client, make_account):
    admin = make_account(Role.ADMIN)
    _password(client, admin)
    response = client.get("/api/v1/alumni")
    assert response.status_code == 403  # a refusal the script can read, not a page to visit
    assert response.mimetype == "application/problem+json"
    _enrol(client)
    assert client.get("/api/v1/alumni").status_code == 200


def test_administrators_must_use_it_unless_configured_otherwise():
    from jgrad.config import Defaults

    assert "admin" in Defaults.TWO_FACTOR_REQUIRED_ROLES
