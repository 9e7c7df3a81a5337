"""Rule 11: access logs, session-only cookies, the contact form; the audit trail is append-only."""
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from jgrad.audit.models import AuditEvent
from jgrad.audit import services as audit
from jgrad.contact.models import Inquiry
from jgrad.extensions import db
from tests.factories import PASSWORD, link_in, outbox

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<ip>[\d.:a-f]+) (?P<method>[A-Z]+) (?P<path>/\S*) "
    r"(?P<status>\d{3}) (?P<ms>[\d.]+)ms (?P<rid>[0-9a-f]{16})$"
)


def read_log(app) -> list[str]:
    for handler in __import__("logging").getLogger("jgrad.access").handlers:
        handler.flush()
    return (Path(app.instance_path) / "logs" / "access.log").read_text().splitlines()


def test_rule11_every_request_is_logged_in_one_line(app, client):
    client.get("/privacy")
    response = client.get("/nowhere")
    lines = read_log(app)
    assert len(lines) == 2
    first, second = (LINE.match(line) for line in lines)
    assert first and second, lines
    assert (first["ip"], first["method"], first["path"], first["status"]) == (
        "127.0.0.1", "GET", "/privacy", "200")
    assert second["status"] == "404" and second["rid"] == response.headers["X-Request-ID"]


def test_rule11_no_password_token_or_form_body_reaches_the_log(app, client, make_university):
    university = make_university()
    client.submit("/signup", {"email": "secretive@example.org"})
    link = link_in(outbox(to="secretive@example.org")[-1])
    token = parse_qs(urlsplit(link).query)["token"][0]
    client.get(link)
    from tests.accounts.test_signup import signup_form

    client.submit("/signup/complete", signup_form(university.id))
    client.submit("/logout")
    client.submit("/login", {"identifier": "secretive@example.org", "password": PASSWORD})
    log = "\n".join(read_log(app))
    assert "/signup/complete" in log
    for secret in (PASSWORD, token, "secretive@example.org", "佐藤"):
        assert secret not in log


def test_rule11_only_the_session_cookie_is_set(client, make_registrant):
    make_registrant(email="hana@example.org")
    names = set()
    for response in (client.get("/"), client.get("/login"),
                     client.submit("/login", {"identifier": "hana@example.org",
                                              "password": PASSWORD}),
                     client.get("/me")):
        for header in response.headers.getlist("Set-Cookie"):
            names.add(header.split("=", 1)[0])
    assert names == {"jgrad_session"}


def test_rule11_contact_form_requires_name_email_and_details(client):
    response = client.submit("/contact", {"name": "", "email": "not-an-address", "details": ""})
    text = response.get_data(as_text=True)
    assert text.count("This field is required.") == 2
    assert "Enter a valid e-mail address." in text
    assert db.session.scalar(sa.select(sa.func.count(Inquiry.id))) == 0


def test_rule11_contact_form_takes_optional_doctor_id_university_and_student_number(client):
    response = client.submit("/contact", {
        "name": "Hanako Yamada", "email": "Hana@Example.org", "details": "Please correct my record.",
        "doctor_id": "jd000000000", "university": "Minato National University",
        "student_number": "D21-0042",
    })
    assert "We have received your message" in response.get_data(as_text=True)
    inquiry = db.session.scalar(sa.select(Inquiry))
    assert (inquiry.name, inquiry.email, inquiry.doctor_id) == (
        "Hanako Yamada", "hana@example.org", "JD000000000")
    assert inquiry.university == "Minato National University"
    assert inquiry.student_number == "D21-0042"
    minimal = client.submit("/contact", {"name": "A", "email": "a@example.org", "details": "Hi"})
    assert minimal.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Inquiry.id))) == 2


def test_contact_form_checks_the_doctor_id(client):
    response = client.submit("/contact", {"name": "A", "email": "a@example.org",
                                          "details": "Hi", "doctor_id": "JD000000001"})
    assert "A Doctor ID looks like" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Inquiry.id))) == 0


def test_audit_events_are_append_only(app):
    event = audit.record("test.event", object_type="thing", object_id=1)
    db.session.commit()
    event.action = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).action == "test.event"


def test_audit_events_record_who_what_when_where_and_outcome(client, make_registrant):
    make_registrant(email="hana@example.org")
    client.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "login.succeeded"))
    assert event.actor_account_id and event.actor_role == "registrant"
    assert event.ip == "127.0.0.1" and event.request_id and event.at
    assert str(event.outcome) == "success"
