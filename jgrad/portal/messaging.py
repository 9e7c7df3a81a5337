"""Rule 5: a university or the institute writes to a filtered set of registrants."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.db import UTCDateTime, utcnow
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.models import DeliveryState, OutboxMessage
from jgrad.portal.models import ContactMessage
from jgrad.portal.queries import AlumniFilter, contactable


def recipient_count(account, filters: AlumniFilter) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(contactable(account, filters).subquery()))


def send(account, filters: AlumniFilter, subject: str, body: str) -> ContactMessage:
    """Record the message and queue one outbox row per recipient, in one statement."""
    message = ContactMessage(university_id=account.university_id, sender_account_id=account.id,
                             subject=subject, body=body, filters=filters.as_dict())
    db.session.add(message)
    db.session.flush()
    sender = account.university.name("en") if account.university else "JGRAD"
    english = mail.render("contact", "en", subject=subject, body=body, sender=sender)
    japanese = mail.render("contact", "ja", subject=subject, body=body, sender=sender)
    now = utcnow()
    recipients = contactable(account, filters).subquery()
    in_japanese = recipients.c.locale == "ja"
    full_subject = sa.case((in_japanese, japanese[0]), else_=english[0])
    full_body = sa.case((in_japanese, japanese[1]), else_=english[1])
    key = sa.literal(f"contact:{message.id}:") + sa.cast(recipients.c.id, sa.String)
    inserted = db.session.scalars(
        sa.insert(OutboxMessage).from_select(
            ["key", "kind", "account_id", "to_address", "subject", "body_text", "state",
             "attempts", "next_attempt_at", "created_at", "contact_message_id"],
            sa.select(key, sa.literal("contact"), recipients.c.account_id,
                      recipients.c.address, full_subject, full_body,
                      sa.literal(str(DeliveryState.PENDING)), sa.literal(0),
                      sa.literal(now, UTCDateTime()), sa.literal(now, UTCDateTime()),
                      sa.literal(message.id)),
        ).returning(OutboxMessage.id)
    ).all()
    message.recipients = len(inserted)
    subjects = list(db.session.scalars(sa.select(recipients.c.id)))
    audit.record_many("record.contacted", object_type="contact_message",
                      object_ids=[message.id] * len(subjects), subject_registrant_ids=subjects,
                      details=None, at=now, account=account)
    return message
