"""Log-in, log-out, password changes and resets, and the password rules."""
import sqlalchemy as sa
from argon2 import PasswordHasher

from jgrad.accounts import passwords
from jgrad.accounts.models import Account, AccountState
from jgrad.accounts.passwords import hash_password, is_common, password_problem, verify_password
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from tests.factories import PASSWORD, TEST_HASHER, link_in, outbox, without_csrf

NEW_PASSWORD = "a completely different phrase"


def test_login_with_doctor_id_or_email(client, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    by_id = client.submit("/login", {"identifier": registrant.doctor_id.lower(),
                                     "password": PASSWORD})
    assert by_id.status_code == 302 and by_id.headers["Location"].endswith("/me")
    client.submit("/logout")
    by_email = client.submit("/login", {"identifier": "Hana@Example.org ", "password": PASSWORD})
    assert by_email.status_code == 302
    assert db.session.get(Account, registrant.account_id).last_login_at is not None


def test_failed_login_does_not_say_whether_the_account_exists(client, make_registrant):
    make_registrant(email="hana@example.org")
    wrong_password = client.submit("/login", {"identifier": "hana@example.org",
                                              "password": "not the password at all"})
    no_account = client.submit("/login", {"identifier": "nobody@example.org",
                                          "password": "not the password at all"})
    assert wrong_password.status_code == no_account.status_code == 200
    message = "The Doctor ID, e-mail address or password is not right."
    assert message in wrong_password.get_data(as_text=True)
    assert message in no_account.get_data(as_text=True)
    failures = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert len(failures) == 2


def test_login_starts_a_fresh_session(client, make_registrant):
    make_registrant(email="hana@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_logout_is_a_post_and_ends_the_session(client, make_registrant, login):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    assert client.get("/logout").status_code == 405
    assert client.get("/me").status_code == 200
    assert client.submit("/logout").status_code == 302
    assert client.get("/me").status_code == 302


def test_suspended_account_cannot_log_in(client, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    registrant.account.suspend(reason="test")
    db.session.commit()
    response = client.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "This account is suspended." in response.get_data(as_text=True)


def test_password_change_ends_every_other_session(app, make_registrant, login, client):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    other = app.test_client()
    other.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    assert other.get("/me").status_code == 200
    response = client.submit("/me/password", {"current": PASSWORD, "password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200  # this session goes on
    assert other.get("/me").status_code == 302  # the other one is over
    assert outbox(to="hana@example.org", kind="password_changed")
    account = db.session.get(Account, registrant.account_id)
    assert verify_password(account, NEW_PASSWORD)


def test_password_change_needs_the_current_password(client, make_registrant, login):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    response = client.submit("/me/password", {"current": "wrong wrong wrong",
                                              "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "This is not your current password." in response.get_data(as_text=True)


def test_password_reset_by_mail(app, client, make_registrant):
    registrant = make_registrant(email="hana@example.org")
    other = app.test_client()
    other.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    client.submit("/reset", {"email": "hana@example.org"})
    link = link_in(outbox(to="hana@example.org", kind="reset")[-1])
    client.get(link)
    response = client.submit("/reset/complete", {"password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert other.get("/me").status_code == 302  # a reset ends every session
    login = client.submit("/login", {"identifier": registrant.doctor_id,
                                     "password": NEW_PASSWORD})
    assert login.status_code == 302
    # The link was single-use.
    client.get(link)
    assert client.get("/reset/complete").status_code == 400


def test_reset_response_is_the_same_for_unknown_addresses(client, make_registrant):
    make_registrant(email="hana@example.org")
    known = client.submit("/reset", {"email": "hana@example.org"}).get_data(as_text=True)
    unknown = client.submit("/reset", {"email": "ghost@example.org"}).get_data(as_text=True)
    assert without_csrf(known.replace("hana@example.org", "X")) == \
        without_csrf(unknown.replace("ghost@example.org", "X"))
    assert outbox(to="ghost@example.org") == []


def test_passwords_are_argon2id_and_rehashed_when_parameters_change(make_registrant):
    registrant = make_registrant(email="hana@example.org")
    account = registrant.account
    assert account.password_hash.startswith("$argon2id$")
    passwords.use_hasher(passwords.PRODUCTION_HASHER)
    try:
        old_hash = account.password_hash  # made by the suite's cheap hasher
        assert verify_password(account, PASSWORD)
        assert account.password_hash != old_hash
        assert not PasswordHasher().check_needs_rehash(account.password_hash)
        assert hash_password(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    finally:
        passwords.use_hasher(TEST_HASHER)


def test_production_hashes_with_argon2_cffi_defaults():
    production = passwords.PRODUCTION_HASHER
    defaults = PasswordHasher()
    assert (production.time_cost, production.memory_cost, production.parallelism) == (
        defaults.time_cost, defaults.memory_cost, defaults.parallelism)
    assert production.type.name == "ID"


def test_password_rules_length_and_common_passwords():
    assert password_problem("a" * 11 + "b") is not None  # only two distinct characters
    assert password_problem("eleven char") == "Use at least 12 characters."
    assert password_problem("x" * 129).startswith("Use at most 128")
    assert password_problem("abcdefghijk1" * 10 + "12345678") is None  # 128 characters
    assert is_common("password1234") and is_common("qwerty123456") and is_common("iloveyouiloveyou")
    assert password_problem("hana@example.org is me", ("hana@example.org",)) is not None
    assert password_problem("correct horse battery staple") is None
    # No composition rules: a long lower-case phrase is fine.
    assert password_problem("the mountains are quiet today") is None


def test_pending_account_without_password_cannot_log_in(client, make_account):
    account = make_account(email="pending@example.org")
    account.state = AccountState.PENDING
    account.password_hash = None
    db.session.commit()
    response = client.submit("/login", {"identifier": "pending@example.org", "password": PASSWORD})
    assert response.status_code == 200


def test_hash_password_stores_a_salted_argon2id_hash_never_the_password():
    hashed, again = hash_password(PASSWORD), hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$") and hashed != again  # salted: no two alike
    assert TEST_HASHER.verify(hashed, PASSWORD)
    assert PASSWORD.encode().hex() not in hashed and "horse" not in hashed
