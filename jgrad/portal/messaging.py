"""Rule 5: a university or the institute writes to a filtered set of registrants."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.models import DeliveryState, OutboxMessage
from jgrad.portal.models import ContactMessage
from jgrad.portal.queries import AlumniFilter, contactable


def recipient_count(account, filters: AlumniFilter) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(contactable(account, filters).subquery()))


def send(account, filters: AlumniFilter, subject: str, body: str) -> ContactMessage:
    """Record the message; queue one outbox row and one audit event per recipient.

    The recipients are selected once; each table then gets a single executemany.
    """
    message = ContactMessage(university_id=account.university_id, sender_account_id=account.id,
                             subject=subject, body=body, filters=filters.as_dict())
    db.session.add(message)
    db.session.flush()
    sender = account.university.name("en") if account.university else "JGRAD"
    rendered = {locale: mail.render("contact", locale, subject=subject, body=body, sender=sender)
                for locale in ("en", "ja")}
    now = utcnow()
    recipients = db.session.execute(contactable(account, filters)).all()
    if recipients:
        db.session.execute(sa.insert(OutboxMessage.__table__), [
            dict(key=f"contact:{message.id}:{r.id}", kind="contact", account_id=r.account_id,
                 to_address=r.address, subject=rendered[_language(r.locale)][0],
                 body_text=rendered[_language(r.locale)][1], state=str(DeliveryState.PENDING),
                 attempts=0, next_attempt_at=now, created_at=now, contact_message_id=message.id)
            for r in recipients])
    message.recipients = len(recipients)
    audit.record_many("record.contacted", object_type="contact_message",
                      object_ids=[message.id] * len(recipients),
                      subject_registrant_ids=[r.id for r in recipients],
                      details=None, at=now, account=account)
    return message


def _language(locale: str | None) -> str:
    return "ja" if locale == "ja" else "en"
