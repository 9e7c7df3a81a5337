"""Rule 5: a university or the institute writes to a filtered set of registrants."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.portal.models import ContactMessage
from jgrad.portal.queries import AlumniFilter, contactable


def recipient_count(account, filters: AlumniFilter) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(contactable(account, filters).subquery()))


def send(account, filters: AlumniFilter, subject: str, body: str) -> ContactMessage:
    """Record the message; queue one outbox row and one audit event per recipient.

    The recipients are selected once; each table then gets a single statement.
    """
    message = ContactMessage(university_id=account.university_id, sender_account_id=account.id,
                             subject=subject, body=body, filters=filters.as_dict())
    db.session.add(message)
    db.session.flush()
    sender = account.university.name("en") if account.university else "JGRAD"
    now = utcnow()
    recipients = db.session.execute(contactable(account, filters)).all()
    mail.queue_many(
        (mail.Recipient(key=f"contact:{message.id}:{r.id}", to=r.address, locale=r.locale,
                        account_id=r.account_id) for r in recipients),
        kind="contact", template="contact", now=now, contact_message_id=message.id,
        subject=subject, body=body, sender=sender)
    message.recipients = len(recipients)
    audit.record_many("record.contacted", object_type="contact_message",
                      object_ids=[message.id] * len(recipients),
                      subject_registrant_ids=[r.id for r in recipients],
                      details=None, at=now, account=account)
    return message

