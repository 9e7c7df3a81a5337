"""Security baseline: server-side session invalidation (a per-account session version)."""
from jgrad.accounts.models import Account, AccountState, Role
from jgrad.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "a completely different phrase"


def saved_cookie(client) -> str:
    """Return the session cookie the browser holds now (what a thief would copy)."""
    cookie = client.get_cookie("jgrad_session")
    assert cookie is not None and cookie.value
    return cookie.value


def replay(app, value: str):
    """Send a request to /me from a new client carrying only the copied cookie."""
    thief = app.test_client()
    thief.set_cookie("jgrad_session", value)
    return thief.get("/me")


def test_security_baseline_logout_ends_the_session_on_the_server(app, client, make_registrant,
                                                                 login):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    copied = saved_cookie(client)
    assert replay(app, copied).status_code == 200  # the copy works while logged in
    assert client.submit("/logout").status_code == 302
    response = replay(app, copied)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_security_baseline_password_change_elsewhere_ends_a_copied_session(
        app, client, make_registrant, login):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    copied = saved_cookie(client)
    other = app.test_client()
    other.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    assert other.submit("/me/password", {"current": PASSWORD, "password": NEW_PASSWORD,
                                         "confirm": NEW_PASSWORD}).status_code == 302
    assert replay(app, copied).status_code == 302
    assert other.get("/me").status_code == 200  # the session that changed it goes on


def test_security_baseline_suspension_ends_a_copied_session_for_good(
        app, client, make_registrant, make_account, login):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    copied = saved_cookie(client)
    account = db.session.get(Account, registrant.account_id)
    account.suspend(reason="test")
    db.session.commit()
    assert replay(app, copied).status_code == 302
    account.activate(reason="lifted")  # lifting the suspension does not revive old sessions
    db.session.commit()
    assert replay(app, copied).status_code == 302


def test_security_baseline_administrator_suspension_ends_staff_sessions(
        app, client, make_account, make_university):
    staff = make_account(Role.STAFF, email="staff@example.org", university=make_university())
    make_account(Role.ADMIN, email="admin@example.org")
    client.submit("/login", {"identifier": "staff@example.org", "password": PASSWORD})
    copied = saved_cookie(client)
    admin = app.test_client()
    admin.submit("/login", {"identifier": "admin@example.org", "password": PASSWORD})
    admin.submit(f"/admin/accounts/{staff.id}/state")
    assert db.session.get(Account, staff.id).state == AccountState.SUSPENDED
    admin.submit(f"/admin/accounts/{staff.id}/state")  # and lifted again
    assert db.session.get(Account, staff.id).state == AccountState.ACTIVE
    assert replay(app, copied).status_code == 302


def test_security_baseline_deletion_ends_sessions_even_when_the_id_is_reused(
        app, client, make_registrant, make_account, login):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    copied = saved_cookie(client)
    account = db.session.get(Account, registrant.account_id)
    old_id, version_in_cookie = account.id, account.session_version
    account._move(AccountState.DELETED, reason="test")
    db.session.commit()
    assert replay(app, copied).status_code == 302
    # Deletion removes the row; SQLite may hand the same id to the next account.
    db.session.delete(account.registrant)
    db.session.flush()
    db.session.delete(account)
    db.session.commit()
    newcomer = make_account(Role.ADMIN, email="newcomer@example.org")
    db.session.execute(Account.__table__.update().where(Account.id == newcomer.id)
                       .values(id=old_id, session_version=version_in_cookie))
    db.session.commit()
    db.session.expire_all()
    assert replay(app, copied).status_code == 302
