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
