"""Changing the sign-in address: the password again, a link to the new mailbox, notices."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountToken, Role, TokenPurpose
from jgrad.extensions import db
from tests.factories import PASSWORD, link_in, outbox


def _ask(client, email, password=PASSWORD):
    return client.submit("/me/email", {"email": email, "password": password})


def _confirm(client, message):
    link = link_in(message)
    assert client.get(link).status_code == 302  # the token moves off the address bar
    page = client.get("/me/email/confirm")
    assert page.status_code == 200 and "Use this address" in page.get_data(as_text=True)
    return client.submit("/me/email/confirm", follow_redirects=True)


def test_staff_change_their_address_and_sign_in_with_it(app, client, login, make_account):
    staff = make_account(Role.ANALYST, email="old@example.org")
    login("old@example.org")
    wrong = _ask(client, "new@example.org", password="not the password at all")
    assert "not your current password" in wrong.get_data(as_text=True)
    same = _ask(client, "OLD@example.org")
    assert "already" in same.get_data(as_text=True)
    assert not outbox(kind="email_change")
    asked = _ask(client, "New@Example.org")
    assert "on its way to" in asked.get_data(as_text=True)
    [link_mail] = outbox(kind="email_change")
    assert link_mail.to_address == "new@example.org"
    [notice] = outbox(to="old@example.org", kind="email_change_asked")
    assert "n***@example.org" in notice.body_text and "new@example.org" not in notice.body_text
    assert db.session.get(Account, staff.id).email == "old@example.org"  # not yet
    done = _confirm(app.test_client(), link_mail)
    assert "now new@example.org" in done.get_data(as_text=True)
    account = db.session.get(Account, staff.id)
    assert account.email == account.login == "new@example.org"
    assert client.get("/stats/").status_code == 302  # every session ended
    assert outbox(to="old@example.org", kind="email_changed")
    assert client.submit("/login", {"identifier": "old@example.org",
                                    "password": PASSWORD}).status_code == 200
    assert login("new@example.org").status_code == 302


def test_a_registrant_keeps_the_doctor_id_as_log_in(app, client, login, make_registrant):
    person = make_registrant(email="hana@example.org")
    login(person.doctor_id)
    _ask(client, "hana.new@example.org")
    _confirm(client, outbox(kind="email_change")[0])
    account = db.session.get(Account, person.account_id)
    assert account.email == "hana.new@example.org" and account.login == person.doctor_id


def test_an_address_in_use_is_refused_at_confirmation_and_a_link_works_once(
        app, client, login, make_account):
    make_account(Role.ANALYST, email="taken@example.org")
    staff = make_account(Role.ANALYST, email="me@example.org")
    login("me@example.org")
    asked = _ask(client, "taken@example.org")  # asking says nothing about other accounts
    assert "on its way to" in asked.get_data(as_text=True)
    refused = _confirm(app.test_client(), outbox(kind="email_change")[0])
    assert "Another account uses this address" in refused.get_data(as_text=True)
    assert db.session.get(Account, staff.id).email == "me@example.org"
    _ask(client, "free@example.org")
    message = outbox(kind="email_change")[-1]
    _confirm(app.test_client(), message)
    again = app.test_client()
    again.get(link_in(message))
    assert again.get("/me/email/confirm").status_code == 400  # the generic link message


def test_an_expired_link_opens_nothing(app, client, login, make_account):
    make_account(Role.ANALYST, email="me@example.org")
    login("me@example.org")
    _ask(client, "later@example.org")
    token = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.purpose == TokenPurpose.EMAIL_CHANGE))
    token.expires_at = token.expires_at - dt.timedelta(days=30)
    db.session.commit()
    other = app.test_client()
    other.get(link_in(outbox(kind="email_change")[0]))
    assert other.get("/me/email/confirm").status_code == 400


def test_the_page_needs_a_log_in(client):
    assert "/login" in client.get("/me/email").headers["Location"]


def test_every_request_tells_the_old_address(app, client, login, make_account):
    make_account(Role.ANALYST, email="me@example.org")
    login("me@example.org")
    _ask(client, "first@example.org")
    _ask(client, "second@example.org")
    notices = outbox(to="me@example.org", kind="email_change_asked")
    assert [("f***@example.org" in n.body_text, "s***@example.org" in n.body_text)
            for n in notices] == [(True, False), (False, True)]
