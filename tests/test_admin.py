"""Administrators read and answer the inquiries sent through the contact form."""
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.audit.models import AuditEvent
from jgrad.contact.models import Inquiry
from jgrad.extensions import db


def test_administrators_see_and_close_inquiries(client, login, make_account):
    client.submit("/contact", {"name": "Taro", "email": "taro@example.org",
                               "details": "My employer changed.\nPlease update.",
                               "doctor_id": "JD000000000"})
    make_account(role=Role.ADMIN, email="admin@example.org")
    response = login("admin@example.org")
    assert response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/inquiries").get_data(as_text=True)
    assert "My employer changed." in page and "JD000000000" in page
    inquiry = db.session.scalar(sa.select(Inquiry))
    assert client.submit(f"/admin/inquiries/{inquiry.id}/close").status_code == 302
    db.session.refresh(inquiry)
    assert inquiry.closed_at is not None
    assert "My employer changed." not in client.get("/admin/inquiries").get_data(as_text=True)
    assert "My employer changed." in client.get(
        "/admin/inquiries?closed=1").get_data(as_text=True)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"inquiry.received", "inquiry.listed", "inquiry.closed"} <= actions
    assert client.submit("/admin/inquiries/999999/close").status_code == 404


def test_inquiries_are_paginated(client, login, make_account):
    db.session.add_all(Inquiry(name=f"N{n}", email="a@example.org", details=f"detail-{n:03d}")
                       for n in range(60))
    db.session.commit()
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    first = client.get("/admin/inquiries").get_data(as_text=True)
    second = client.get("/admin/inquiries?page=2").get_data(as_text=True)
    assert first.count('class="inquiry-text"') == 50 and second.count('class="inquiry-text"') == 10


def test_inquiries_are_acknowledged_and_answered_by_mail(client, login, make_account):
    from tests.factories import outbox

    client.submit("/lang", {"lang": "ja", "next": "/contact"})
    client.submit("/contact", {"name": "花子", "email": "hana@example.org",
                               "details": "勤務先が変わりました。"})
    [ack] = outbox(to="hana@example.org", kind="inquiry_ack")
    inquiry = db.session.scalar(sa.select(Inquiry))
    assert f"{inquiry.id}" in ack.subject and "受け付けました" in ack.body_text
    assert "勤務先" not in ack.body_text  # a receipt never repeats what was written
    for n in range(5):  # the form cannot flood someone else's mailbox
        client.submit("/contact", {"name": "x", "email": "HANA@example.org", "details": f"{n}"})
    assert len(outbox(to="hana@example.org", kind="inquiry_ack")) + len(
        outbox(to="HANA@example.org", kind="inquiry_ack")) == 3
    client.submit("/lang", {"lang": "en", "next": "/"})
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    page = client.get("/admin/inquiries").get_data(as_text=True)
    assert "sent in 日本語" in page
    empty = client.submit(f"/admin/inquiries/{inquiry.id}/reply", {"text": "  "},
                          follow_redirects=True)
    assert "Write the answer" in empty.get_data(as_text=True)
    assert not outbox(kind="inquiry_reply")
    sent = client.submit(f"/admin/inquiries/{inquiry.id}/reply",
                         {"text": "記録を更新しました。"}, follow_redirects=True)
    assert "has been sent to hana@example.org" in sent.get_data(as_text=True)
    [answer] = outbox(kind="inquiry_reply")
    assert answer.to_address == "hana@example.org" and "回答" in answer.subject
    assert "記録を更新しました。" in answer.body_text and "> 勤務先が変わりました。" in answer.body_text
    db.session.refresh(inquiry)
    assert inquiry.closed_at is not None and inquiry.reply_text == "記録を更新しました。"
    again = client.submit(f"/admin/inquiries/{inquiry.id}/reply", {"text": "twice"},
                          follow_redirects=True)
    assert "answered already" in again.get_data(as_text=True)
    assert len(outbox(kind="inquiry_reply")) == 1
    assert "inquiry.replied" in set(db.session.scalars(sa.select(AuditEvent.action)))
    assert client.submit("/admin/inquiries/999999/reply", {"text": "x"}).status_code == 404
