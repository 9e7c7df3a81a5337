"""The stored inquiries: read them, acknowledge them, answer them by e-mail."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.contact.models import Inquiry
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.models import OutboxMessage


def inquiries_page(*, show_closed: bool, page: int, size: int) -> tuple[list[Inquiry], bool]:
    """Return one page of inquiries, newest first (open ones only unless ``show_closed``),
    and whether another page follows."""
    query = sa.select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    if not show_closed:
        query = query.where(Inquiry.closed_at.is_(None))
    rows = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).all()
    return list(rows[:size]), len(rows) > size


# Anyone can type any address into the form: acknowledgements to one address are capped,
# and they never repeat what was written, so the form cannot be used to send mail to others.
ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = 3


def acknowledge(inquiry: Inquiry, now: dt.datetime) -> bool:
    """Queue the receipt for a new inquiry, in its language; False when the cap is reached."""
    recent = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "inquiry_ack",
        sa.func.lower(OutboxMessage.to_address) == inquiry.email.lower(),
        OutboxMessage.created_at >= now - dt.timedelta(days=1))) or 0
    if recent >= ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY:
        return False
    mail.queue(key=f"inquiry-ack:{inquiry.id}", kind="inquiry_ack", to=inquiry.email,
               template="inquiry_ack", locale=inquiry.locale or "en", reference=inquiry.id)
    return True


def reply(inquiry: Inquiry, text: str, *, by, now: dt.datetime) -> None:
    """Send an administrator's answer to the inquirer, keep it, and mark the inquiry answered."""
    if inquiry.replied_at is not None:
        raise ValueError("answered already")
    inquiry.reply_text = text
    inquiry.replied_at = now
    mail.queue(key=f"inquiry-reply:{inquiry.id}", kind="inquiry_reply", to=inquiry.email,
               template="inquiry_reply", locale=inquiry.locale or "en", reference=inquiry.id,
               body=text, asked=inquiry.details)
    audit.record("inquiry.replied", account=by, object_type="inquiry", object_id=inquiry.id)
    inquiry.close(by=by, now=now)


def mail_keys(inquiry_ids: list[int]) -> list[str]:
    """Return the outbox keys of the mail about these inquiries (deleted with them)."""
    return [f"inquiry-{kind}:{i}" for i in inquiry_ids for kind in ("ack", "reply")]
