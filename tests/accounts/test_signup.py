"""Rule 2: sign-up by e-mail, a set-password link valid 3 days, then a Doctor ID."""
import datetime as dt
import hashlib
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, AccountToken, EmailStatus, Role
from jgrad.accounts.passwords import verify_password
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.identifiers import is_valid_doctor_id
from jgrad.registrants.models import Registrant
from tests.factories import PASSWORD, link_in, outbox, without_csrf

EMAIL = "new.person@example.org"


def signup_form(university_id: int, **overrides) -> dict:
    form = {
        "password": PASSWORD, "confirm": PASSWORD,
        "profile-family_name": "佐藤", "profile-given_name": "陽翔",
        "profile-family_name_kana": "サトウ", "profile-given_name_kana": "ハルト",
        "profile-family_name_roman": "Sato", "profile-given_name_roman": "Haruto",
        "profile-birth_year": "1992", "profile-sex": "male", "profile-nationality": "JP",
        "enrolment-university_id": str(university_id),
        "enrolment-graduate_school": "Graduate School of Engineering",
        "enrolment-major": "Materials Science", "enrolment-field": "07",
        "enrolment-programme_type": "latter", "enrolment-entry_date": "2019-04-01",
        "enrolment-status": "degree_awarded", "enrolment-status_date": "2022-03-31",
        "enrolment-degree_name": "Doctor of Engineering", "enrolment-student_number": "",
    }
    form.update(overrides)
    return form


def request_link(client, email=EMAIL) -> str:
    response = client.submit("/signup", {"email": email})
    assert response.status_code == 200
    return link_in(outbox(to=email)[-1])


def test_rule2_signup_mails_a_set_password_link_valid_for_three_days(client):
    before = utcnow()
    response = client.submit("/signup", {"email": EMAIL})
    assert "Check your e-mail" in response.get_data(as_text=True)
    [message] = outbox(to=EMAIL)
    assert message.kind == "signup"
    token = db.session.scalar(sa.select(AccountToken))
    assert dt.timedelta(hours=71, minutes=59) < token.expires_at - before <= dt.timedelta(hours=72, minutes=1)
    raw = parse_qs(urlsplit(link_in(message)).query)["token"][0]
    # At least 128 random bits (256 here), and only a hash is stored.
    assert len(raw) >= 43
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.token_hash
    # Nothing is registered until the link is followed.
    assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0


def test_rule2_following_the_link_sets_password_and_assigns_a_doctor_id(client, make_university):
    university = make_university()
    link = request_link(client)
    page = client.get(link)
    assert page.status_code == 302  # the token leaves the address bar
    assert "token" not in page.headers["Location"]
    form_page = client.get(page.headers["Location"])
    assert "Complete your registration" in form_page.get_data(as_text=True)
    response = client.submit("/signup/complete", signup_form(university.id))
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/welcome")
    registrant = db.session.scalar(sa.select(Registrant))
    assert is_valid_doctor_id(registrant.doctor_id)
    assert registrant.account.login == registrant.doctor_id
    assert registrant.account.state == AccountState.ACTIVE
    assert registrant.account.email_status == EmailStatus.VALID
    assert registrant.enrolments[0].university_id == university.id
    welcome = client.get("/me/welcome").get_data(as_text=True)
    assert registrant.doctor_id in welcome
    # The registrant can now log in with the Doctor ID and the password.
    client.submit("/logout")
    response = client.submit("/login", {"identifier": registrant.doctor_id, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")


def test_signup_link_works_only_once(client, make_university):
    university = make_university()
    link = request_link(client)
    client.get(link)
    assert client.submit("/signup/complete", signup_form(university.id)).status_code == 302
    client.submit("/logout")
    client.get(link)
    response = client.get("/signup/complete")
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 1


def test_expired_reused_and_tampered_links_get_one_generic_message(client, make_university):
    make_university()
    link = request_link(client)
    token = db.session.scalar(sa.select(AccountToken))
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    client.get(link)
    expired = client.get("/signup/complete")
    client.get(link[:-4] + "AAAA")
    tampered = client.get("/signup/complete")
    client.get("/signup/complete?token=")
    empty = client.get("/signup/complete")
    bodies = {r.status_code for r in (expired, tampered, empty)}
    assert bodies == {400}
    texts = [r.get_data(as_text=True) for r in (expired, tampered, empty)]
    assert all("This link cannot be used" in t for t in texts)


def test_signup_does_not_reveal_whether_an_address_is_registered(client, make_registrant):
    make_registrant(email="known@example.org")
    known = client.submit("/signup", {"email": "known@example.org"}).get_data(as_text=True)
    unknown = client.submit("/signup", {"email": "unknown@example.org"}).get_data(as_text=True)
    # The form's token carries the second it was made, so it is left out of the comparison.
    strip = lambda text, email: without_csrf(text.replace(email, "EMAIL"))  # noqa: E731
    assert strip(known, "known@example.org") == strip(unknown, "unknown@example.org")
    # The owner of the known address is told they have an account, and gets no new one.
    assert outbox(to="known@example.org")[-1].kind == "signup_existing"
    assert outbox(to="unknown@example.org")[-1].kind == "signup"


def test_invalid_signup_form_shows_errors_by_field_and_saves_nothing(client, make_university):
    university = make_university()
    client.get(request_link(client))
    response = client.submit("/signup/complete", signup_form(
        university.id, confirm="something else entirely",
        **{"profile-birth_year": "1850", "enrolment-status_date": "2010-01-01",
           "profile-family_name": ""},
    ))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "The two passwords differ." in text
    assert "Enter a year between 1900" in text
    assert "This date cannot be before the date of entry." in text
    assert "This field is required." in text
    assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0
    # The link still works after a failed attempt.
    assert db.session.scalar(sa.select(AccountToken.used_at)) is None


def test_signup_refuses_short_and_common_passwords(client, make_university):
    university = make_university()
    client.get(request_link(client))
    short = client.submit("/signup/complete", signup_form(
        university.id, password="short pass", confirm="short pass"))
    assert "Use at least 12 characters." in short.get_data(as_text=True)
    common = client.submit("/signup/complete", signup_form(
        university.id, password="qwerty123456", confirm="qwerty123456"))
    assert "This password is too common." in common.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0


def test_invitation_lets_a_pending_account_set_its_password(client, runner, make_university):
    university = make_university(code="INV")
    result = runner.invoke(args=["accounts", "create", "--role", "staff",
                                 "--email", "Staff@Example.org", "--university", "INV"])
    assert result.exit_code == 0, result.output
    account = db.session.scalar(sa.select(Account).where(Account.email == "staff@example.org"))
    assert account.state == AccountState.PENDING and account.password_hash is None
    assert account.university_id == university.id and account.role == Role.STAFF
    client.get(link_in(outbox(to="staff@example.org", kind="invite")[-1]))
    response = client.submit("/signup/complete", {"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(account)
    assert account.state == AccountState.ACTIVE
    assert verify_password(account, PASSWORD)
    assert client.get("/records/").status_code == 200  # signed in as the staff member
    client.submit("/logout")
    assert client.submit("/login", {"identifier": "staff@example.org",
                                    "password": PASSWORD}).status_code == 302
